#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

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

// Dropout masks keyed by the rows of a batch instead of the batch, so that a row's masks do not depend on the other
// rows it is batched with, nor on the rank that computes it. While one lives on this thread, every CPU dropout call of
// a tensor whose leading dimension is a multiple of seeds.size() treats it as seeds.size() equal contiguous rows
// (batch-major: [B, T, D], [B*H, T, T], ...) and keeps element j of row r by a hash of (seeds[r], k, j), where k
// counts the dropout calls made under this guard (the forward pass makes them in the same order on every rank). The
// generator's loss holds one with its per-clip seeds of (seed, step, clip) around the forward pass. Other tensors,
// and calls without a guard, draw one seed per call as before. Nests (the previous seeds return at the end).
class DropoutRowSeeds {
 public:
  explicit DropoutRowSeeds(std::vector<std::uint64_t> seeds);
  ~DropoutRowSeeds();
  DropoutRowSeeds(const DropoutRowSeeds&) = delete;
  DropoutRowSeeds& operator=(const DropoutRowSeeds&) = delete;

 private:
  std::vector<std::uint64_t> seeds_;
  const std::vector<std::uint64_t>* previous_seeds_;
  std::uint64_t previous_calls_;
};

// Sampling-time dropout whose masks are shared over frames. While one lives on this thread, every dropout call on a
// tensor of three or more dimensions draws its mask with size 1 in dimension 1 and broadcasts it there: the same
// channels (activations [B, T, D]), key frames (attention weights [B*H, T, T]) or memory heads ([B, T, H]) are dropped
// at every frame of a clip. Each call still draws a new mask (every layer, every diffusion step), and row seeds
// (DropoutRowSeeds) still key the masks by row. Why: independent per-frame masks perturb every frame of the final x0
// prediction differently, which shows as frame-to-frame noise (jitter 6x real, feet that never rest, at p = 0.1);
// a mask shared over frames varies the motion without shaking it. Nests.
class DropoutSharedOverFrames {
 public:
  DropoutSharedOverFrames();
  ~DropoutSharedOverFrames();
  DropoutSharedOverFrames(const DropoutSharedOverFrames&) = delete;
  DropoutSharedOverFrames& operator=(const DropoutSharedOverFrames&) = delete;

 private:
  bool previous_;
};

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
