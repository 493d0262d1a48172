// The NCCL communicator on a GPU (ctest -L gpu), under `mpirun -np 1` (NCCL allows one rank per GPU; several ranks
// are proven on the MPI backend): CUDA tensors through all-reduce, broadcast and all-gather against closed forms.
// Skipped, saying why, where NCCL is not compiled in or LibTorch sees no CUDA device.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include "mpi_test.h"
#include "skelaug/core/build_info.h"
#include "skelaug/core/config.h"
#include "skelaug/core/config_schema.h"
#include "skelaug/distributed/backend.h"

namespace skelaug::distributed {
namespace {

using skelaug::testing::mpi;

class NcclCommunicatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!core::build_info().nccl_compiled) GTEST_SKIP() << "this build has no NCCL backend";
    if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device visible to LibTorch: run on a GPU host";
    core::Schema schema;
    add_distributed_config_keys(schema);
    const auto config = core::parse_config(schema, "{}", "test", "test", {"distributed.backend=nccl"});
    binding_ = bind_device(mpi(), config);
    comm_ = make_communicator(mpi(), binding_, config);
  }

  at::TensorOptions on_gpu(at::ScalarType dtype) const {
    return at::TensorOptions().dtype(dtype).device(at::kCUDA, binding_.cuda_device);
  }

  DeviceBinding binding_;
  std::unique_ptr<Communicator> comm_;
};

TEST_F(NcclCommunicatorTest, CollectivesOnCudaTensorsMatchClosedForms) {
  ASSERT_EQ(binding_.backend, "nccl");
  const int world = mpi().size(), rank = mpi().rank();
  for (const auto dtype : {at::kFloat, at::kDouble, at::kLong, at::kBFloat16}) {
    const auto base = at::arange(1, 101, on_gpu(dtype));
    auto sum = base * (rank + 1);
    comm_->all_reduce(sum, ReduceOp::kSum);
    EXPECT_TRUE(at::equal(sum.cpu(), (base * (world * (world + 1) / 2)).cpu())) << dtype;
    auto max = base * (rank + 1);
    comm_->all_reduce(max, ReduceOp::kMax);
    EXPECT_TRUE(at::equal(max.cpu(), (base * world).cpu())) << dtype;
  }
  // The asynchronous form, as the gradient reducer uses it.
  auto pending = at::ones({1000}, on_gpu(at::kFloat));
  comm_->all_reduce_async(pending, ReduceOp::kSum)->wait();
  EXPECT_TRUE(at::equal(pending.cpu(), at::full({1000}, static_cast<float>(world))));
  auto average = at::full({7, 3}, static_cast<double>(rank), on_gpu(at::kDouble));
  comm_->all_reduce(average, ReduceOp::kAverage);
  EXPECT_TRUE(at::allclose(average.cpu(), at::full({7, 3}, (world - 1) / 2.0, at::kDouble)));
  auto broadcast = at::full({5}, static_cast<float>(rank + 7), on_gpu(at::kFloat));
  comm_->broadcast(broadcast, 0);
  EXPECT_TRUE(at::equal(broadcast.cpu(), at::full({5}, 7.0f)));
  const auto gathered = comm_->all_gather(at::full({2}, static_cast<std::int64_t>(rank), on_gpu(at::kLong)));
  ASSERT_EQ(gathered.size(0), world);
  for (int r = 0; r < world; ++r) EXPECT_TRUE(at::equal(gathered[r].cpu(), at::full({2}, r, at::kLong)));
  comm_->barrier();
}

}  // namespace
}  // namespace skelaug::distributed
