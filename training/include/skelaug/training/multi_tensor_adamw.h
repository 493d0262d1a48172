#pragma once

#include <torch/optim/adamw.h>

#include <memory>
#include <vector>

namespace skelaug::training {

// LibTorch's AdamW with its update done as multi-tensor operations: about ten operations per step for all the
// parameters of a group instead of about ten per parameter tensor. On CUDA each one is a fused kernel over the whole
// list (what PyTorch's Python AdamW does by default, foreach=True), which matters when a step is launch-bound: the
// paper-size generator has 184 parameter tensors. On the CPU the operations run the same per-tensor arithmetic
// as torch::optim::AdamW, and the results are bit-identical to it; but each operation then streams every parameter
// through the cache, where the per-tensor loop finishes one tensor while it is still in cache, so make_adamw keeps
// LibTorch's AdamW there (bench_generator, section (d), 2 threads on this project's 2-core CPU: 0.89x the time of the
// per-tensor step at the demo's 76 tensors, but 1.41x at the paper's 184 tensors and 10.3M parameters).
//
// It is a torch::optim::AdamW: the same options, per-parameter state and serialisation, so checkpoints written with
// either optimiser load into the other. Only step() differs. amsgrad is not supported (std::invalid_argument), and
// sparse gradients are rejected as AdamW rejects them.
class MultiTensorAdamW : public torch::optim::AdamW {
 public:
  MultiTensorAdamW(std::vector<torch::Tensor> parameters, torch::optim::AdamWOptions options);

  torch::Tensor step(LossClosure closure = nullptr) override;
};

// The AdamW skelaug trains with on `device`: MultiTensorAdamW on CUDA, torch::optim::AdamW on the CPU. Both update
// the same way and share one state format, so a run moved between devices resumes from its checkpoints.
std::unique_ptr<torch::optim::AdamW> make_adamw(std::vector<torch::Tensor> parameters,
                                                torch::optim::AdamWOptions options, const torch::Device& device);

}  // namespace skelaug::training
