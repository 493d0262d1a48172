#include <ATen/autocast_mode.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "skelaug/training/autocast.h"

namespace skelaug::training {
namespace {

torch::Tensor linear_output() {
  return torch::nn::functional::linear(torch::randn({4, 8}), torch::randn({3, 8}));
}

TEST(Autocast, Bf16GuardCastsMatrixProductsAndRestoresOnExit) {
  EXPECT_EQ(linear_output().scalar_type(), torch::kFloat);
  {
    const AutocastGuard guard(torch::kCPU, Precision::kBFloat16);
    EXPECT_EQ(linear_output().scalar_type(), torch::kBFloat16);
    {
      const AutocastGuard nested(torch::kCPU, Precision::kBFloat16);
      EXPECT_EQ(linear_output().scalar_type(), torch::kBFloat16);
    }
    EXPECT_EQ(linear_output().scalar_type(), torch::kBFloat16) << "an inner guard must not switch the outer off";
  }
  EXPECT_EQ(linear_output().scalar_type(), torch::kFloat);
}

TEST(Autocast, Float32GuardChangesNothing) {
  const AutocastGuard guard(torch::kCPU, Precision::kFloat32);
  EXPECT_EQ(linear_output().scalar_type(), torch::kFloat);
}

TEST(Autocast, TrainingUnderBf16KeepsFloat32WeightsAndGradientsAndLearns) {
  torch::manual_seed(0);
  torch::nn::Sequential model(torch::nn::Linear(8, 32), torch::nn::ReLU(), torch::nn::Linear(32, 1));
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-2));
  const auto x = torch::randn({64, 8});
  const auto y = x.sum(1, true);
  double first = 0, last = 0;
  for (int step = 0; step < 200; ++step) {
    optimizer.zero_grad();
    torch::Tensor loss;
    {
      const AutocastGuard guard(torch::kCPU, Precision::kBFloat16);
      loss = (model->forward(x).to(torch::kFloat) - y).square().mean();
    }
    loss.backward();
    optimizer.step();
    (step == 0 ? first : last) = loss.item<double>();
  }
  for (const auto& parameter : model->parameters()) {
    EXPECT_EQ(parameter.scalar_type(), torch::kFloat);
    EXPECT_EQ(parameter.grad().scalar_type(), torch::kFloat);
  }
  EXPECT_LT(last, 0.1 * first);
}

TEST(Autocast, PrecisionNames) {
  EXPECT_EQ(parse_precision("bf16"), Precision::kBFloat16);
  EXPECT_EQ(precision_name(parse_precision("float32")), "float32");
  EXPECT_THROW(parse_precision("fp16"), std::invalid_argument);
}

}  // namespace
}  // namespace skelaug::training
