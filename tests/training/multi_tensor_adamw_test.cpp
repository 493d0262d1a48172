#include "skelaug/training/multi_tensor_adamw.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <memory>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace skelaug::training {
namespace {

// Parameters of a few shapes (a matrix, a vector, a scalar-sized one), the same values for every call.
std::vector<torch::Tensor> make_parameters() {
  torch::manual_seed(7);
  std::vector<torch::Tensor> parameters;
  for (const auto& shape : std::vector<std::vector<std::int64_t>>{{16, 8}, {8}, {3, 4, 5}, {1}, {32}}) {
    parameters.push_back(torch::randn(shape).requires_grad_());
  }
  return parameters;
}

// Gives every parameter the gradient of step `step` (the same for both optimisers), except `skipped`, left without
// one, so that its state falls a step behind the others'.
void set_gradients(std::vector<torch::Tensor>& parameters, int step, int skipped = -1) {
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    if (static_cast<int>(i) == skipped) {
      parameters[i].mutable_grad() = torch::Tensor();
      continue;
    }
    const auto generator = at::detail::createCPUGenerator(static_cast<std::uint64_t>(1000 * step + i));
    parameters[i].mutable_grad() = torch::randn(parameters[i].sizes(), generator);
  }
}

void expect_identical(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b, int step) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(torch::equal(a[i], b[i])) << "parameter " << i << " after step " << step << ": max difference "
                                         << (a[i] - b[i]).abs().max().item<double>();
  }
}

// One step of both optimisers with the same gradients; their parameters must then be bit-identical.
void step_both(torch::optim::Optimizer& reference, std::vector<torch::Tensor>& reference_parameters,
               torch::optim::Optimizer& optimizer, std::vector<torch::Tensor>& parameters, int step, int skipped = -1) {
  set_gradients(reference_parameters, step, skipped);
  set_gradients(parameters, step, skipped);
  reference.step();
  optimizer.step();
  expect_identical(reference_parameters, parameters, step);
}

torch::optim::AdamWOptions options() { return torch::optim::AdamWOptions(1e-2).weight_decay(0.05).eps(1e-6); }

TEST(MultiTensorAdamW, UpdatesBitForBitLikeLibTorchsAdamW) {
  auto reference_parameters = make_parameters();
  auto parameters = make_parameters();
  torch::optim::AdamW reference(reference_parameters, options());
  MultiTensorAdamW optimizer(parameters, options());
  for (int step = 0; step < 25; ++step) {
    // Parameter 1 has no gradient on every fifth step, so the update runs at two step counts at once.
    step_both(reference, reference_parameters, optimizer, parameters, step, step % 5 == 2 ? 1 : -1);
    // A learning rate schedule changes the group's options between steps, as the trainer's does.
    static_cast<torch::optim::AdamWOptions&>(reference.param_groups()[0].options()).lr(1e-2 / (step + 2));
    static_cast<torch::optim::AdamWOptions&>(optimizer.param_groups()[0].options()).lr(1e-2 / (step + 2));
  }
  const auto& reference_state = static_cast<torch::optim::AdamWParamState&>(
      *reference.state().begin()->second);
  EXPECT_GT(reference_state.step(), 0);
  EXPECT_EQ(optimizer.state().size(), reference.state().size());
}

TEST(MultiTensorAdamW, TakesEachGroupsOwnOptions) {
  auto reference_parameters = make_parameters();
  auto parameters = make_parameters();
  const std::vector<torch::Tensor> first_reference(reference_parameters.begin(), reference_parameters.begin() + 2);
  const std::vector<torch::Tensor> second_reference(reference_parameters.begin() + 2, reference_parameters.end());
  const std::vector<torch::Tensor> first(parameters.begin(), parameters.begin() + 2);
  const std::vector<torch::Tensor> second(parameters.begin() + 2, parameters.end());
  torch::optim::AdamW reference(first_reference, options());
  MultiTensorAdamW optimizer(first, options());
  const auto other = torch::optim::AdamWOptions(3e-3).weight_decay(0.0).betas({0.8, 0.99});
  reference.add_param_group(
      torch::optim::OptimizerParamGroup(second_reference, std::make_unique<torch::optim::AdamWOptions>(other)));
  optimizer.add_param_group(
      torch::optim::OptimizerParamGroup(second, std::make_unique<torch::optim::AdamWOptions>(other)));
  for (int step = 0; step < 10; ++step) {
    step_both(reference, reference_parameters, optimizer, parameters, step);
  }
}

// Checkpoints hold the optimiser's state through AdamW's serialisation: state saved by either optimiser, loaded into
// the other, continues the same run.
TEST(MultiTensorAdamW, ContinuesFromStateSavedByLibTorchsAdamWAndTheOtherWayRound) {
  for (const bool from_reference : {true, false}) {
    auto saved_parameters = make_parameters();
    std::stringstream archive_bytes;
    {
      std::unique_ptr<torch::optim::AdamW> writer =
          from_reference ? std::make_unique<torch::optim::AdamW>(saved_parameters, options())
                         : std::make_unique<MultiTensorAdamW>(saved_parameters, options());
      for (int step = 0; step < 4; ++step) {
        set_gradients(saved_parameters, step, step == 1 ? 3 : -1);
        writer->step();
      }
      torch::serialize::OutputArchive archive;
      writer->save(archive);
      archive.save_to(archive_bytes);
    }
    std::vector<torch::Tensor> reference_parameters, parameters;
    for (const auto& saved : saved_parameters) {
      reference_parameters.push_back(saved.detach().clone().requires_grad_());
      parameters.push_back(saved.detach().clone().requires_grad_());
    }
    torch::optim::AdamW reference(reference_parameters, options());
    MultiTensorAdamW optimizer(parameters, options());
    for (torch::optim::Optimizer* reader : {static_cast<torch::optim::Optimizer*>(&reference),
                                            static_cast<torch::optim::Optimizer*>(&optimizer)}) {
      archive_bytes.clear();
      archive_bytes.seekg(0);
      torch::serialize::InputArchive archive;
      archive.load_from(archive_bytes);
      reader->load(archive);
    }
    for (int step = 4; step < 10; ++step) {
      step_both(reference, reference_parameters, optimizer, parameters, step);
    }
    // Loaded state was used, not fresh state: every parameter is at step 10 in both (parameter 3, left without a
    // gradient once before the save, at 9).
    for (auto* optimiser : {static_cast<torch::optim::Optimizer*>(&reference),
                            static_cast<torch::optim::Optimizer*>(&optimizer)}) {
      EXPECT_EQ(optimiser->state().size(), parameters.size());
      for (const auto& [key, state] : optimiser->state()) {
        const auto steps = static_cast<torch::optim::AdamWParamState&>(*state).step();
        EXPECT_TRUE(steps == 10 || steps == 9) << "from_reference " << from_reference << ": step " << steps;
      }
    }
  }
}

TEST(MultiTensorAdamW, IsWhatTrainingUsesOnCudaButNotOnTheCpu) {
  // make_adamw only picks the class; no tensor is moved, so the choice is checked without a GPU.
  const auto on_cuda = make_adamw(make_parameters(), options(), torch::Device(torch::kCUDA));
  const auto on_cpu = make_adamw(make_parameters(), options(), torch::Device(torch::kCPU));
  EXPECT_NE(dynamic_cast<MultiTensorAdamW*>(on_cuda.get()), nullptr);
  EXPECT_EQ(dynamic_cast<MultiTensorAdamW*>(on_cpu.get()), nullptr);
}

TEST(MultiTensorAdamW, RejectsAmsgrad) {
  auto parameters = make_parameters();
  EXPECT_THROW(MultiTensorAdamW(parameters, options().amsgrad(true)), std::invalid_argument);
}

}  // namespace
}  // namespace skelaug::training
