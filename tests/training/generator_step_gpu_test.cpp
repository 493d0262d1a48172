// Training on a GPU (ctest -L gpu): a generator step never makes the host wait for the device (the loss, its backward
// pass, the optimiser and the weight average run with LibTorch's synchronisation check set to fail on any wait), and
// bf16 autocast (train.precision: bf16) gives the float32 losses and logits within bf16's precision, finite gradients
// and finite samples. Skipped, saying why, where LibTorch sees no CUDA device or is a CPU-only build.
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include <cmath>
#include <vector>

#ifdef SKELAUG_TORCH_CUDA
#include <c10/cuda/CUDAFunctions.h>
#endif

#include "../models/small_generator.h"
#include "../models/small_recognizer.h"
#include "skelaug/data/device_copy.h"
#include "skelaug/data/topology.h"
#include "skelaug/models/diffusion.h"
#include "skelaug/models/generator_objective.h"
#include "skelaug/models/generator_sampling.h"
#include "skelaug/models/recognizer.h"
#include "skelaug/training/autocast.h"
#include "skelaug/training/exponential_moving_average.h"
#include "skelaug/training/multi_tensor_adamw.h"

namespace skelaug::training {
namespace {

#ifdef SKELAUG_TORCH_CUDA
// Any host synchronisation (a blocking copy, item(), a stream synchronise) throws while this lives.
class SynchronisationIsAnError {
 public:
  SynchronisationIsAnError() { c10::cuda::warning_state().set_sync_debug_mode(c10::cuda::SyncDebugMode::L_ERROR); }
  ~SynchronisationIsAnError() {
    c10::cuda::warning_state().set_sync_debug_mode(c10::cuda::SyncDebugMode::L_DISABLED);
  }
  SynchronisationIsAnError(const SynchronisationIsAnError&) = delete;
  SynchronisationIsAnError& operator=(const SynchronisationIsAnError&) = delete;
};
#endif

TEST(GeneratorStepOnCuda, NeverWaitsForTheDevice) {
#ifndef SKELAUG_TORCH_CUDA
  GTEST_SKIP() << "this LibTorch is a CPU-only build: the synchronisation check needs the CUDA one";
#else
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device visible to LibTorch: this test runs on a GPU host";
  const torch::Device device(torch::kCUDA);
  for (const double dropout : {0.0, 0.1}) {
    SCOPED_TRACE(dropout);
    auto options = testing::small_generator_options(models::Conditioning::kLabel);
    options.dropout = dropout;
    torch::manual_seed(1);
    models::Generator model(options);
    model->to(device);
    models::Generator average(options);
    average->to(device);
    ExponentialMovingAverage ema(*model, *average, 0.99);
    const auto optimizer = make_adamw(model->parameters(), torch::optim::AdamWOptions(1e-3), device);  // the trainer's
    const auto schedule = models::DiffusionSchedule::cosine(50);
    const auto edges = data::topology("hml22").edges();
    models::GeneratorLossWeights weights;
    weights.bone_length = 1.0;
    weights.velocity = 1.0;
    const auto step = [&](std::uint64_t seed) {
      // As the trainer sends a batch: from the host, without waiting.
      const auto clips = data::to_device(torch::randn({4, 12, 66}), device);
      const auto mask = data::to_device(torch::ones({4, 12}), device);
      const auto labels = data::to_device(torch::tensor({0, 1, 2, 3}, torch::kLong), device);
      const auto loss = models::generator_loss(model, schedule, clips, mask, labels, {}, {}, weights, edges,
                                               {seed, seed + 1, seed + 2, seed + 3});
      loss.total.backward();
      optimizer->step();
      optimizer->zero_grad();
      ema.update();
      return loss.total.detach();
    };
    step(10);  // the first step may copy the schedule's tables to the device, once
    torch::Tensor last;
    {
      const SynchronisationIsAnError check;
      for (std::uint64_t s = 20; s < 60; s += 10) last = step(s);
    }
    EXPECT_TRUE(std::isfinite(last.item<double>()));
  }
#endif
}

class Bf16OnCuda : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device visible to LibTorch: this test runs on a GPU host";
  }
};

TEST_F(Bf16OnCuda, TheGeneratorLossTrainsAndSamples) {
  const torch::Device device(torch::kCUDA);
  torch::manual_seed(3);
  models::Generator model(testing::small_generator_options(models::Conditioning::kLabel));
  model->to(device);
  const auto clips = torch::randn({4, 12, 66}).to(device);
  const auto mask = torch::ones({4, 12}).to(device);
  const auto labels = torch::tensor({0, 1, 2, 3}, torch::kLong).to(device);
  const auto schedule = models::DiffusionSchedule::cosine(50);
  const auto edges = data::topology("hml22").edges();
  const models::GeneratorLossWeights weights;
  const auto loss_in = [&](Precision precision) {
    const AutocastGuard autocast(device, precision);
    return models::generator_loss(model, schedule, clips, mask, labels, {}, {}, weights, edges, {1, 2, 3, 4})
        .total.to(torch::kFloat);
  };
  const double float32 = loss_in(Precision::kFloat32).item<double>();
  const auto bf16 = loss_in(Precision::kBFloat16);
  EXPECT_NEAR(bf16.item<double>(), float32, 0.05 * std::abs(float32));  // bf16 keeps 8 bits of mantissa
  bf16.backward();
  for (const auto& p : model->parameters()) {
    if (p.grad().defined()) {
      EXPECT_TRUE(torch::isfinite(p.grad()).all().item<bool>());
    }
    EXPECT_EQ(p.scalar_type(), torch::kFloat);  // autocast leaves the weights in float32
  }
  models::GenerationOptions options;
  options.sampler.ddim_steps = 10;
  torch::Tensor generated;
  {
    const AutocastGuard autocast(device, Precision::kBFloat16);
    generated = models::generate(model, schedule, labels, {}, {}, 12, options);
  }
  EXPECT_TRUE(torch::isfinite(generated).all().item<bool>());
}

TEST_F(Bf16OnCuda, EveryRecognizerGivesTheFloat32Logits) {
  const torch::Device device(torch::kCUDA);
  for (const auto& architecture : models::recognizer_architectures()) {
    SCOPED_TRACE(architecture);
    const auto options = testing::small_recognizer_options(architecture);
    torch::manual_seed(3);
    const auto recognizer = models::make_recognizer(options);
    recognizer->to(device);
    recognizer->eval();
    torch::NoGradGuard no_grad;
    const auto joints = data::topology(options.topology).num_joints();
    const auto input = torch::randn({3, options.num_bodies, 16, joints, options.in_channels()}).to(device);
    const auto mask = torch::ones({3, 16}).to(device);
    const auto float32 = recognizer->forward(input, mask);
    torch::Tensor bf16;
    {
      const AutocastGuard autocast(device, Precision::kBFloat16);
      bf16 = recognizer->forward(input, mask).to(torch::kFloat);
    }
    EXPECT_TRUE(torch::isfinite(bf16).all().item<bool>());
    const double scale = float32.abs().max().item<double>();
    EXPECT_LT((bf16 - float32).abs().max().item<double>(), 0.05 * scale + 1e-3);
  }
}

// The multi-tensor update runs fused CUDA kernels, which may round differently from the per-tensor operations (a
// division by a scalar, say, as a multiplication by its reciprocal): after 20 steps on the small generator's
// parameters it must still agree with torch::optim::AdamW to float32 rounding.
TEST(MultiTensorAdamWOnCuda, AgreesWithLibTorchsAdamW) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device visible to LibTorch: this test runs on a GPU host";
  const torch::Device device(torch::kCUDA);
  torch::manual_seed(3);
  models::Generator model(testing::small_generator_options(models::Conditioning::kLabel));
  model->to(device);
  std::vector<torch::Tensor> reference_parameters, parameters;
  for (const auto& parameter : model->parameters()) {
    reference_parameters.push_back(parameter.detach().clone().requires_grad_());
    parameters.push_back(parameter.detach().clone().requires_grad_());
  }
  const auto options = torch::optim::AdamWOptions(1e-3).weight_decay(0.01);
  torch::optim::AdamW reference(reference_parameters, options);
  MultiTensorAdamW optimizer(parameters, options);
  for (int step = 0; step < 20; ++step) {
    for (std::size_t i = 0; i < parameters.size(); ++i) {
      const auto gradient = torch::randn_like(parameters[i]);
      reference_parameters[i].mutable_grad() = gradient.clone();
      parameters[i].mutable_grad() = gradient.clone();
    }
    reference.step();
    optimizer.step();
  }
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const double scale = reference_parameters[i].abs().max().item<double>() + 1e-3;
    const double difference = (parameters[i] - reference_parameters[i]).abs().max().item<double>();
    EXPECT_LE(difference, 1e-5 * scale) << "parameter " << i;
  }
}

}  // namespace
}  // namespace skelaug::training
