// SyncBatchNorm: LibTorch's BatchNorm without a sum, the global batch's statistics and gradients with one.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <array>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "skelaug/models/batch_norm.h"

namespace skelaug::models {
namespace {

// Runs three training steps and one eval pass through `norm` on the same inputs; returns outputs, input gradients and
// the running statistics.
template <typename Norm>
std::vector<torch::Tensor> run(Norm& norm, const std::vector<torch::Tensor>& inputs, const torch::Tensor& weight) {
  std::vector<torch::Tensor> results;
  norm->train();
  for (const auto& input : inputs) {
    const auto x = input.clone().requires_grad_(true);
    const auto y = norm->forward(x);
    (y * weight).sum().backward();
    results.push_back(y.detach());
    results.push_back(x.grad());
  }
  norm->eval();
  results.push_back(norm->forward(inputs[0]).detach());
  results.push_back(norm->running_mean.clone());
  results.push_back(norm->running_var.clone());
  results.push_back(norm->weight.grad().clone());
  results.push_back(norm->bias.grad().clone());
  return results;
}

std::vector<torch::Tensor> inputs() {
  torch::manual_seed(1);
  return {torch::randn({6, 5, 7, 3}) * 2 + 1, torch::randn({6, 5, 7, 3}) - 3, torch::rand({6, 5, 7, 3})};
}

TEST(SyncBatchNorm, WithoutASumItIsLibTorchsBatchNorm) {
  const auto weight = torch::randn({6, 5, 7, 3});
  torch::nn::BatchNorm2d reference(5);
  SyncBatchNorm ours(5);
  const auto expected = run(reference, inputs(), weight);
  const auto got = run(ours, inputs(), weight);
  ASSERT_EQ(expected.size(), got.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_TRUE(torch::allclose(got[i], expected[i], 1e-5, 1e-6)) << i;
  EXPECT_EQ(ours->named_buffers().size(), reference->named_buffers().size());
}


TEST(SyncBatchNorm, ASumOverOneRankIsLibTorchsBatchNorm) {
  const auto weight = torch::randn({6, 5, 7, 3});
  torch::nn::BatchNorm2d reference(5);
  SyncBatchNorm ours(5);
  int calls = 0;
  EXPECT_EQ(synchronise_batch_norm(*ours, [&](torch::Tensor&) { ++calls; }), 1);
  const auto expected = run(reference, inputs(), weight);
  const auto got = run(ours, inputs(), weight);
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_TRUE(torch::allclose(got[i], expected[i], 1e-4, 1e-5)) << i;
  EXPECT_EQ(calls, 6);  // statistics forward and gradients backward, three steps; none in eval mode
}

// Two ranks in one process: each rank's tensor waits for the other's, then both get the sum.
class TwoRankSum {
 public:
  void operator()(int rank, torch::Tensor& tensor) {
    std::unique_lock<std::mutex> lock(mutex_);
    const int round = round_;
    slots_[static_cast<std::size_t>(rank)] = tensor.clone();
    if (++arrived_ == 2) {
      total_ = slots_[0] + slots_[1];
      arrived_ = 0;
      ++round_;
      changed_.notify_all();
    } else {
      changed_.wait(lock, [&] { return round_ != round; });
    }
    tensor.copy_(total_);  // the next round cannot finish before this rank has arrived in it
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::array<torch::Tensor, 2> slots_;
  torch::Tensor total_;
  int arrived_ = 0, round_ = 0;
};

// The data-parallel promise: two ranks with half the batch each compute the one-rank outputs, input gradients and
// running statistics (the loss summed over ranks, as the gradient reducer's average over ranks of per-rank means
// amounts to), and their weight gradients sum to the one-rank ones.
TEST(SyncBatchNorm, TwoRanksWithHalfTheBatchEachEqualOneRankWithAll) {
  torch::manual_seed(2);
  const auto input = torch::randn({8, 4, 6, 5}) * 3 + 2;
  const auto weight = torch::randn({8, 4, 6, 5});
  SyncBatchNorm whole(4);
  {
    torch::NoGradGuard no_grad;
    whole->weight.uniform_(0.5, 1.5);
    whole->bias.uniform_(-1, 1);
  }
  const auto x = input.clone().requires_grad_(true);
  const auto y = whole->forward(x);
  (y * weight).sum().backward();

  TwoRankSum sum;
  std::array<SyncBatchNorm, 2> halves{SyncBatchNorm(4), SyncBatchNorm(4)};
  std::array<torch::Tensor, 2> outputs, gradients;
  std::array<std::thread, 2> ranks;
  for (int rank = 0; rank < 2; ++rank) {
    auto& norm = halves[static_cast<std::size_t>(rank)];
    {
      torch::NoGradGuard no_grad;
      norm->weight.copy_(whole->weight);
      norm->bias.copy_(whole->bias);
    }
    synchronise_batch_norm(*norm, [&sum, rank](torch::Tensor& tensor) { sum(rank, tensor); });
  }
  for (int rank = 0; rank < 2; ++rank) {
    ranks[static_cast<std::size_t>(rank)] = std::thread([&, rank] {
      const auto r = static_cast<std::size_t>(rank);
      const auto local = input.narrow(0, 4 * rank, 4).clone().requires_grad_(true);
      const auto out = halves[r]->forward(local);
      (out * weight.narrow(0, 4 * rank, 4)).sum().backward();
      outputs[r] = out.detach();
      gradients[r] = local.grad();
    });
  }
  for (auto& thread : ranks) thread.join();
  EXPECT_TRUE(torch::allclose(torch::cat({outputs[0], outputs[1]}), y.detach(), 1e-4, 1e-5));
  EXPECT_TRUE(torch::allclose(torch::cat({gradients[0], gradients[1]}), x.grad(), 1e-4, 1e-5));
  EXPECT_TRUE(torch::allclose(halves[0]->weight.grad() + halves[1]->weight.grad(), whole->weight.grad(), 1e-4, 1e-5));
  EXPECT_TRUE(torch::allclose(halves[0]->bias.grad() + halves[1]->bias.grad(), whole->bias.grad(), 1e-4, 1e-5));
  for (const auto& half : halves) {
    EXPECT_TRUE(torch::allclose(half->running_mean, whole->running_mean, 1e-5, 1e-6));
    EXPECT_TRUE(torch::allclose(half->running_var, whole->running_var, 1e-5, 1e-6));
  }
  // Per-rank statistics would not have matched: the halves differ.
  EXPECT_FALSE(torch::allclose(input.narrow(0, 0, 4).mean(), input.narrow(0, 4, 4).mean(), 1e-2, 1e-2));
}

TEST(SyncBatchNorm, PreciseStatisticsAreTheLastPassesExactly) {
  SyncBatchNorm norm(3);
  const auto input = torch::randn({10, 3, 4}) * 2 + 5;
  norm->train();
  for (int i = 0; i < 3; ++i) norm->forward(torch::randn({10, 3, 4}));
  EXPECT_EQ(prepare_precise_batch_norm(*norm), 1);
  torch::NoGradGuard no_grad;
  norm->forward(input);
  EXPECT_TRUE(torch::allclose(norm->running_mean, input.mean(std::vector<std::int64_t>{0, 2}), 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(norm->running_var, input.var(std::vector<std::int64_t>{0, 2}, /*unbiased=*/true), 1e-4, 1e-5));
  EXPECT_THROW(norm->forward(torch::randn({10, 4, 4})), std::invalid_argument);
}

}  // namespace
}  // namespace skelaug::models
