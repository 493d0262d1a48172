#pragma once

#include <utility>
#include <vector>

#include "skelaug/models/diffusion.h"
#include "skelaug/models/dropout.h"
#include "skelaug/models/generator.h"

namespace skelaug::models {

struct GenerationOptions {
  SamplerOptions sampler;  // DDPM (ddim_steps 0) or DDIM, eta, seed
  double dropout = 0.0;    // sampling-time dropout: the network's dropout layers stay active with this probability
  // Its masks shared over the frames of a clip (DropoutSharedOverFrames) instead of drawn for every frame.
  bool dropout_shared_over_frames = false;
  double guidance = 1.0;   // label mode: x0 = uncond + guidance (cond - uncond); 1 = conditional only, 0 = unconditional
  // Run the condition network at every step even where once would do, as the paper's released code does: the same
  // clips, slower; for measuring what computing it once buys.
  bool condition_every_step = false;
};

// Classifier-free guidance of two x0 predictions.
at::Tensor guided_x0(const at::Tensor& conditional, const at::Tensor& unconditional, double scale);

// Puts the model in evaluation mode except its dropout layers, which drop with probability `dropout` (0 = off). The
// paper's released code means to do this but wires the probability to 0; here it really acts. generate() applies its
// options' dropout itself (SamplingModeGuard); this is for callers that drive make_x0_predictor directly.
void set_sampling_dropout(GeneratorImpl& model, double dropout);

// set_sampling_dropout for the guard's lifetime: afterwards every module's training flag and every dropout layer's
// probability are what they were, so sampling from a model in training (its EMA copy, say) leaves it as it was.
class SamplingModeGuard {
 public:
  SamplingModeGuard(GeneratorImpl& model, double dropout);
  ~SamplingModeGuard();
  SamplingModeGuard(const SamplingModeGuard&) = delete;
  SamplingModeGuard& operator=(const SamplingModeGuard&) = delete;

 private:
  std::vector<std::pair<torch::nn::Module*, bool>> training_;  // every module and its flag
  std::vector<std::pair<CounterDropoutImpl*, double>> dropout_;  // every dropout layer and its probability
};

// The x0 predictor a sampler calls at every step for clips of `length` frames, all real: the model's forward, with
// classifier-free guidance in label mode when `guidance` != 1. The condition (the 8-layer semantic encoder over the
// exemplar, in exemplar mode) does not depend on the step, so it is computed here, once, when it is deterministic
// (no sampling-time dropout) and `every_step` is false, and at every step otherwise; both give the same clips for the
// same seed.
X0Predictor make_x0_predictor(Generator& model, const at::Tensor& labels, const at::Tensor& exemplar,
                              const at::Tensor& exemplar_mask, std::int64_t length, double guidance,
                              bool every_step = false);

// Generates clips (normalised features [B, length, F]) for `labels` [B] and, in exemplar mode, `exemplar` [B, T, F]
// with `exemplar_mask` [B, T]. The model runs in sampling mode with options.dropout for the call (SamplingModeGuard)
// and is left as it was. Dropout noise comes from LibTorch's generator, seeded from options.sampler.seed, so the same
// options give the same clips; with options.sampler.row_seeds, each row's noise and (on the CPU) dropout masks come
// from its own seed, so a row's clip does not depend on its batch mates.
at::Tensor generate(Generator& model, const DiffusionSchedule& schedule, const at::Tensor& labels,
                    const at::Tensor& exemplar, const at::Tensor& exemplar_mask, std::int64_t length,
                    const GenerationOptions& options, const SamplingProgress& progress = {});

// generate()'s refinement: clips x0 (normalised features [B, length, F], from generate) noised to timestep `start` and
// denoised again under the same conditioning, sampling mode and seeding rules (renoise_and_denoise).
at::Tensor regenerate(Generator& model, const DiffusionSchedule& schedule, const at::Tensor& x0, const at::Tensor& labels,
                      const at::Tensor& exemplar, const at::Tensor& exemplar_mask, std::int64_t start,
                      const GenerationOptions& options);

}  // namespace skelaug::models
