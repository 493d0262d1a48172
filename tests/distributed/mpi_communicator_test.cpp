// Runs under `mpirun -np N` (N = 2 and 4 in ctest): every rank runs every test, and the job fails if any rank fails.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "mpi_test.h"

#include <set>

#include "skelaug/distributed/mpi_communicator.h"
#include "skelaug/distributed/mpi_environment.h"

namespace skelaug::distributed {
namespace {

using skelaug::testing::mpi;

class MpiCommunicatorTest : public ::testing::Test {
 protected:
  MpiCommunicator comm_{mpi(), 60.0};
  int rank_ = mpi().rank();
  int world_ = mpi().size();
};

TEST_F(MpiCommunicatorTest, AllReduceMatchesClosedFormForEveryOpAndDtype) {
  ASSERT_GE(world_, 2) << "run this test under mpirun with at least 2 ranks";
  for (const auto dtype : {at::kFloat, at::kDouble, at::kLong, at::kInt}) {
    const auto base = at::arange(1, 1001, at::TensorOptions().dtype(dtype));
    auto sum = base * (rank_ + 1);
    comm_.all_reduce(sum, ReduceOp::kSum);
    EXPECT_TRUE(at::equal(sum, base * (world_ * (world_ + 1) / 2))) << dtype;
    auto max = base * (rank_ + 1);
    comm_.all_reduce(max, ReduceOp::kMax);
    EXPECT_TRUE(at::equal(max, base * world_)) << dtype;
    auto min = base * (rank_ + 1);
    comm_.all_reduce(min, ReduceOp::kMin);
    EXPECT_TRUE(at::equal(min, base)) << dtype;
  }
  auto average = at::full({7, 3}, static_cast<double>(rank_), at::kDouble);
  comm_.all_reduce(average, ReduceOp::kAverage);
  EXPECT_TRUE(at::allclose(average, at::full({7, 3}, (world_ - 1) / 2.0, at::kDouble)));
}

TEST_F(MpiCommunicatorTest, BroadcastFromEveryRoot) {
  for (int root = 0; root < world_; ++root) {
    auto tensor = at::full({5, 4}, static_cast<float>(rank_ * 10 + 1));
    comm_.broadcast(tensor, root);
    EXPECT_TRUE(at::equal(tensor, at::full({5, 4}, static_cast<float>(root * 10 + 1)))) << "root " << root;
  }
}

TEST_F(MpiCommunicatorTest, AllGatherStacksInRankOrder) {
  const auto mine = at::full({2, 3}, static_cast<std::int64_t>(rank_), at::kLong);
  const auto gathered = comm_.all_gather(mine);
  ASSERT_EQ(gathered.sizes(), (std::vector<std::int64_t>{world_, 2, 3}));
  for (int r = 0; r < world_; ++r) EXPECT_TRUE(at::equal(gathered[r], at::full({2, 3}, r, at::kLong)));
}

TEST_F(MpiCommunicatorTest, MisuseIsRejectedBeforeAnyCommunication) {
  auto integers = at::ones({4}, at::kLong);
  EXPECT_THROW(comm_.all_reduce(integers, ReduceOp::kAverage), std::invalid_argument);
  auto strided = at::ones({4, 4}).t();
  EXPECT_THROW(comm_.all_reduce(strided, ReduceOp::kSum), std::invalid_argument);
  auto half = at::ones({4}, at::kHalf);
  EXPECT_THROW(comm_.all_reduce(half, ReduceOp::kSum), std::invalid_argument);
  comm_.barrier();  // every rank is still in step
}

TEST_F(MpiCommunicatorTest, ControlPlaneMessages) {
  EXPECT_EQ(mpi().broadcast(rank_ == 0 ? "runs/demo-1" : "", 0), "runs/demo-1");
  const auto names = mpi().all_gather(std::string(static_cast<std::size_t>(rank_), 'x'));
  ASSERT_EQ(static_cast<int>(names.size()), world_);
  for (int r = 0; r < world_; ++r) EXPECT_EQ(names[r], std::string(static_cast<std::size_t>(r), 'x'));
  EXPECT_EQ(mpi().sum(rank_ + 1), world_ * (world_ + 1) / 2);
}

TEST_F(MpiCommunicatorTest, LayoutIsConsistentAcrossRanks) {
  const auto& layout = mpi().layout();
  EXPECT_EQ(layout.world_size, world_);
  EXPECT_EQ(layout.node_count, 1);  // ctest runs every rank on this machine
  EXPECT_EQ(layout.local_size, world_);
  const auto locals = mpi().all_gather(std::to_string(layout.local_rank));
  EXPECT_EQ(std::set<std::string>(locals.begin(), locals.end()).size(), static_cast<std::size_t>(world_));
  EXPECT_FALSE(layout.local_rank_source.empty());
}

}  // namespace
}  // namespace skelaug::distributed

