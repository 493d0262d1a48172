// Runs under `mpirun -np N`: data-parallel training with the GradientReducer must equal training on one process.
#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>
#include <gtest/gtest.h>

#include "mpi_test.h"

#include "skelaug/distributed/gradient_reducer.h"
#include "skelaug/distributed/mpi_communicator.h"
#include "skelaug/distributed/mpi_environment.h"

namespace skelaug::distributed {
namespace {

using skelaug::testing::mpi;
constexpr std::int64_t kBatch = 24;  // global batch, divisible by 1..4 ranks and by 2 micro-batches
constexpr double kTolerance = 1e-5;  // float32: sums taken in a different order

// A two-layer perceptron written with plain tensors; `rank_seed` != 0 gives every rank different initial weights
// (the broadcast must fix that).
struct Model {
  std::vector<at::Tensor> parameters;
  explicit Model(std::uint64_t seed) {
    auto generator = at::detail::createCPUGenerator(seed);
    for (const auto& shape : std::vector<std::vector<std::int64_t>>{{6, 32}, {32}, {32, 16}, {16}, {16, 3}, {3}}) {
      parameters.push_back((at::randn(shape, generator, at::kFloat) * 0.3).requires_grad_());
    }
  }
  at::Tensor forward(const at::Tensor& x) const {
    auto h = at::relu(at::matmul(x, parameters[0]) + parameters[1]);
    h = at::tanh(at::matmul(h, parameters[2]) + parameters[3]);
    return at::matmul(h, parameters[4]) + parameters[5];
  }
  void sgd_step(double lr) {
    at::NoGradGuard no_grad;
    for (auto& p : parameters) {
      p.sub_(p.grad() * lr);
      p.mutable_grad().zero_();
    }
  }
};

std::pair<at::Tensor, at::Tensor> global_batch(int step) {
  auto generator = at::detail::createCPUGenerator(1000 + step);
  return {at::randn({kBatch, 6}, generator, at::kFloat), at::randn({kBatch, 3}, generator, at::kFloat)};
}

at::Tensor loss_of(const Model& model, const at::Tensor& x, const at::Tensor& y) {
  return (model.forward(x) - y).square().mean();
}

// One process, the whole batch.
Model train_reference(int steps) {
  Model model(7);
  for (int step = 0; step < steps; ++step) {
    const auto [x, y] = global_batch(step);
    loss_of(model, x, y).backward();
    model.sgd_step(0.1);
  }
  return model;
}

// This rank's share of each batch, split into `micro` micro-batches, gradients averaged by the reducer.
Model train_data_parallel(int steps, ReducerOptions options, int micro) {
  MpiCommunicator communicator(mpi(), 60.0);
  Model model(7 + static_cast<std::uint64_t>(mpi().rank()) * 31);  // deliberately different per rank
  broadcast_from_root(communicator, model.parameters);
  GradientReducer reducer(model.parameters, communicator, options);
  const std::int64_t share = kBatch / mpi().size();
  const std::int64_t rows = share / micro;
  for (int step = 0; step < steps; ++step) {
    const auto [x, y] = global_batch(step);
    for (int m = 0; m < micro; ++m) {
      const auto start = mpi().rank() * share + m * rows;
      reducer.prepare(m == micro - 1);
      (loss_of(model, x.narrow(0, start, rows), y.narrow(0, start, rows)) / micro).backward();
    }
    reducer.finish();
    model.sgd_step(0.1);
  }
  return model;
}

void expect_same(const Model& a, const Model& b) {
  for (std::size_t i = 0; i < a.parameters.size(); ++i) {
    const double error = (a.parameters[i] - b.parameters[i]).abs().max().item<double>();
    EXPECT_LT(error, kTolerance) << "parameter " << i << " on rank " << mpi().rank();
  }
}

TEST(GradientReducer, DataParallelEqualsOneProcessWithTheGlobalBatch) {
  expect_same(train_data_parallel(5, {}, 1), train_reference(5));
}

TEST(GradientReducer, TinyAndHugeBucketsGiveTheSameParameters) {
  const auto reference = train_reference(4);
  expect_same(train_data_parallel(4, {1, 1}, 1), reference);                   // one parameter per bucket
  expect_same(train_data_parallel(4, {1LL << 40, 1LL << 40}, 1), reference);  // one bucket
}

TEST(GradientReducer, AccumulationWithoutSyncEqualsTheWholeBatch) {
  expect_same(train_data_parallel(4, {256, 128}, 2), train_reference(4));
}

TEST(GradientReducer, BucketsFollowReverseRegistrationOrderAndCaps) {
  MpiCommunicator communicator(mpi(), 60.0);
  Model model(1);
  GradientReducer one_each(model.parameters, communicator, {1, 1});
  ASSERT_EQ(one_each.bucket_members().size(), 6u);
  EXPECT_EQ(one_each.bucket_members().front(), (std::vector<std::size_t>{5}));
  EXPECT_EQ(one_each.bucket_members().back(), (std::vector<std::size_t>{0}));
  GradientReducer small_first(model.parameters, communicator, {1LL << 20, 100});
  ASSERT_EQ(small_first.bucket_members().size(), 2u);  // {b2 (12 B), then W2 would exceed 100 B} + the rest
  EXPECT_EQ(small_first.bucket_members()[0], (std::vector<std::size_t>{5}));
  EXPECT_EQ(small_first.bucket_members()[1], (std::vector<std::size_t>{4, 3, 2, 1, 0}));
}

TEST(GradientReducer, ParametersWithoutGradientOnSomeRanksStillReduce) {
  MpiCommunicator communicator(mpi(), 60.0);
  Model model(3);
  auto extra = at::zeros({5}, at::kFloat).requires_grad_();
  auto parameters = model.parameters;
  parameters.push_back(extra);
  GradientReducer reducer(parameters, communicator, {64, 64});
  const auto [x, y] = global_batch(0);
  const auto coefficients = at::arange(1, 6, at::kFloat);
  for (int step = 0; step < 2; ++step) {  // twice: the reducer must be reusable after an incomplete step
    reducer.prepare(true);
    auto loss = loss_of(model, x, y);
    if (mpi().rank() == 0) loss = loss + (extra * coefficients).sum();  // only rank 0 uses `extra`
    loss.backward();
    reducer.finish();
    EXPECT_TRUE(at::allclose(extra.grad(), coefficients / mpi().size()));
    for (auto& p : parameters) p.mutable_grad().zero_();
  }
}

}  // namespace
}  // namespace skelaug::distributed

