#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

namespace skelaug::models {

// Training-mode dropout whose keep decision for element i is a counter-based hash of (seed, i), with one seed drawn
// per call from LibTorch's default CPU generator (so torch::manual_seed governs it, as it governs at::dropout).
//
// Why not at::dropout: on CPU, LibTorch without MKL draws dropout masks serially from one mt19937 into a float mask,
// then rescales and multiplies it in further passes; in the generator's training step that was 18% of the time. Here
// one parallel pass writes the output, nothing is stored for the backward pass (it recomputes the hash), and the mask
// does not depend on the number of threads. On other devices both functions are at::dropout, which is fused there.
//
// p in [0, 1]; every kept element is scaled by 1/(1-p), every other one is 0; p = 1 gives zeros.
torch::Tensor counter_dropout(const torch::Tensor& x, double p);
// counter_dropout(relu(x)) in one pass, and one pass back (the gradient flows where the output is positive).
torch::Tensor counter_relu_dropout(const torch::Tensor& x, double p);

// Dropout as a module: counter_dropout in training mode, the identity in eval mode. Sampling-time dropout
// (set_sampling_dropout) finds these modules and sets their probability and mode.
class CounterDropoutImpl : public torch::nn::Module {
 public:
  explicit CounterDropoutImpl(double p);
  torch::Tensor forward(const torch::Tensor& x);
  // dropout(relu(x)), fused.
  torch::Tensor forward_relu(const torch::Tensor& x);

  double p() const { return p_; }
  void set_p(double p);

 private:
  double p_;
};
TORCH_MODULE(CounterDropout);

}  // namespace skelaug::models
