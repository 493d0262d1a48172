// The weight average: a copy at the start (parameters and buffers), then average = d * average + (1 - d) * current.
#include "skelaug/training/exponential_moving_average.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <stdexcept>

namespace skelaug::training {
namespace {

struct NetImpl : torch::nn::Module {
  explicit NetImpl(std::int64_t width) {
    linear = register_module("linear", torch::nn::Linear(3, width));
    norm = register_module("norm", torch::nn::BatchNorm1d(width));
  }
  torch::nn::Linear linear{nullptr};
  torch::nn::BatchNorm1d norm{nullptr};
};
TORCH_MODULE(Net);

TEST(ExponentialMovingAverage, StartsAsACopyAndFoldsInEveryUpdate) {
  torch::manual_seed(1);
  Net model(4);
  Net average(4);
  {
    torch::NoGradGuard no_grad;
    model->norm->running_mean.fill_(0.5);  // a buffer that differs from the fresh module's
  }
  ExponentialMovingAverage ema(*model, *average, 0.9);
  EXPECT_TRUE(torch::equal(average->linear->weight, model->linear->weight));
  EXPECT_TRUE(torch::equal(average->norm->running_mean, model->norm->running_mean));

  const auto start = model->linear->weight.detach().clone();
  {
    torch::NoGradGuard no_grad;
    model->linear->weight.add_(1.0);
  }
  ema.update();
  EXPECT_TRUE(torch::allclose(average->linear->weight, 0.9 * start + 0.1 * (start + 1.0), 1e-6, 1e-6));
  ema.update();  // the model did not move: the average moves another tenth of the way
  EXPECT_TRUE(torch::allclose(average->linear->weight, start + 0.19, 1e-6, 1e-6));
}

// The multi-tensor update is the per-tensor arithmetic, bit for bit: swapping one for the other changes no result.
TEST(ExponentialMovingAverage, EveryUpdateIsBitIdenticalToThePerTensorFormula) {
  torch::manual_seed(2);
  Net model(16);
  Net average(16);
  ExponentialMovingAverage ema(*model, *average, 0.999);
  std::vector<torch::Tensor> expected;
  for (const auto& p : model->parameters()) expected.push_back(p.detach().clone());
  for (int update = 0; update < 5; ++update) {
    {
      torch::NoGradGuard no_grad;
      for (auto& p : model->parameters()) p.add_(torch::randn_like(p) * 0.1);
    }
    ema.update();
    const auto current = model->parameters();
    for (std::size_t i = 0; i < expected.size(); ++i) expected[i].mul_(0.999).add_(current[i].detach(), 1.0 - 0.999);
  }
  const auto averaged = average->parameters();
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_TRUE(torch::equal(averaged[i], expected[i])) << i;
}

TEST(ExponentialMovingAverage, ARecordOfAnotherArchitectureIsRefused) {
  Net model(4);
  Net other(5);
  EXPECT_THROW(ExponentialMovingAverage(*model, *other, 0.9), std::invalid_argument);
}

}  // namespace
}  // namespace skelaug::training
