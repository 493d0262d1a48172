#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace skelaug::models {

// The forward (noising) process of a denoising diffusion model, as tables indexed by the discrete timestep
// t = 0 .. T-1. Index t is the noise level after t + 1 forward steps, so alpha_bar[0] is just below 1 and
// alpha_bar[T-1] is about 0 (the convention of Ho et al. and of the improved-DDPM code the paper builds on).
// All tables are float64 on the CPU; callers cast and move what they need. add_noise keeps its own copies of the two
// tables it gathers from on each device and dtype it meets (shared by copies of the schedule), so a training step
// never copies a table to the device.
class DiffusionSchedule {
 public:
  // Nichol & Dhariwal 2021: alpha_bar(u) = f(u) / f(0), f(u) = cos^2((u + s) / (1 + s) * pi / 2), s = 0.008;
  // beta_t = min(1 - alpha_bar((t+1)/T) / alpha_bar(t/T), 0.999). The clipping only bites at the last step or two and
  // keeps the final step from being a division by zero; the tables are then the cumulative products of (1 - beta), so
  // they stay exactly consistent with the betas the samplers use.
  static DiffusionSchedule cosine(std::int64_t steps = 1000);
  // Any schedule from its betas (float64-castable, 1-D, every value in (0, 1)).
  static DiffusionSchedule from_betas(const at::Tensor& betas);

  std::int64_t steps() const { return steps_; }

  const at::Tensor& betas() const { return betas_; }                    // [T]
  const at::Tensor& alpha_bar() const { return alpha_bar_; }            // [T] prod_{i<=t} (1 - beta_i)
  const at::Tensor& alpha_bar_prev() const { return alpha_bar_prev_; }  // [T] alpha_bar[t-1], 1 at t = 0
  // Variance of q(x_{t-1} | x_t, x0): beta_t (1 - alpha_bar_{t-1}) / (1 - alpha_bar_t); 0 at t = 0.
  const at::Tensor& posterior_variance() const { return posterior_variance_; }
  // Mean of q(x_{t-1} | x_t, x0) = coef_x0[t] * x0 + coef_xt[t] * x_t.
  const at::Tensor& posterior_mean_coef_x0() const { return posterior_mean_coef_x0_; }
  const at::Tensor& posterior_mean_coef_xt() const { return posterior_mean_coef_xt_; }

  double alpha_bar_at(std::int64_t t) const;  // checked scalar access

  // x_t = sqrt(alpha_bar_t) x0 + sqrt(1 - alpha_bar_t) noise, with t an int64 tensor [B] of per-sample timesteps and
  // x0, noise [B, ...] of the same shape. The result has x0's dtype and device; t may be on the CPU or on x0's device.
  // Out-of-range timesteps are rejected (std::invalid_argument) when t is on the CPU; a CUDA t is trusted, since
  // checking it would stall the training step on a device-to-host copy.
  at::Tensor add_noise(const at::Tensor& x0, const at::Tensor& t, const at::Tensor& noise) const;

 private:
  explicit DiffusionSchedule(const at::Tensor& betas);

  std::int64_t steps_ = 0;
  at::Tensor betas_;
  at::Tensor alpha_bar_;
  at::Tensor alpha_bar_prev_;
  at::Tensor sqrt_alpha_bar_;
  at::Tensor sqrt_one_minus_alpha_bar_;
  at::Tensor posterior_variance_;
  at::Tensor posterior_mean_coef_x0_;
  at::Tensor posterior_mean_coef_xt_;
  struct NoiseTableCache;
  std::shared_ptr<NoiseTableCache> noise_tables_;
};

// The network predicts the clean sample x0 from (x_t, t); `t` is int64 [B] on x_t's device. The samplers pass the same
// t to every sample of a batch.
using X0Predictor = std::function<at::Tensor(const at::Tensor& x_t, const at::Tensor& t)>;

struct SamplerOptions {
  // 0: ancestral DDPM over all T steps (the paper's sampler); > 0: DDIM with this many steps.
  std::int64_t ddim_steps = 0;
  double eta = 0.0;        // DDIM stochasticity (1 with ddim_steps = T is exactly the DDPM sampler)
  std::uint64_t seed = 0;  // same seed, same samples (on any device: noise is drawn on the CPU)
  // Empty, or one seed per row of the batch: row r then draws all its noise (the starting noise, then each step's)
  // from its own generator seeded with row_seeds[r], and `seed` is unused. A row's sample then does not depend on
  // which rows share its batch: mass sampling batches items however it likes and still gets each item's clip.
  std::vector<std::uint64_t> row_seeds;
};

using SamplingProgress = std::function<void(std::int64_t done, std::int64_t total)>;

// The timesteps a sampler visits, in the order it visits them (descending, ending at 0), when it starts from timestep
// `start` (T-1 for sampling from pure noise). DDPM: every step start .. 0. DDIM with S steps: S timesteps evenly spaced
// over [0, start], rounded (both ends included; S = start + 1 is every step); S is capped at start + 1.
std::vector<std::int64_t> sampling_timesteps(const DiffusionSchedule& schedule, std::int64_t start,
                                             const SamplerOptions& options);

// Starts from Gaussian noise of `shape` (float32, on `device`; shape[0] is the batch) and denoises to x0.
// DDPM: x_{t-1} ~ q(x_{t-1} | x_t, x0_hat) with the fixed small (posterior) variance, as the paper's code.
// DDIM (Song et al. 2021): x_{t'} = sqrt(ab_t') x0_hat + sqrt(1 - ab_t' - sigma^2) eps_hat + sigma z,
// sigma = eta sqrt((1 - ab_t') / (1 - ab_t)) sqrt(1 - ab_t / ab_t'), eps_hat implied by x0_hat and x_t.
// Rejects ddim_steps outside [0, T], a negative eta, an empty shape or predictor (std::invalid_argument), and a
// prediction of the wrong shape (std::runtime_error). `progress` is called after every denoising step.
at::Tensor sample(const DiffusionSchedule& schedule, const X0Predictor& predict_x0, at::IntArrayRef shape,
                  const at::Device& device, const SamplerOptions& options, const SamplingProgress& progress = {});

// The reverse process from a given x_t at timestep `start` down to x0 (SDEdit-style refinement: noise a sample with
// add_noise to an intermediate step, then denoise it). x_t's device is used; the result is float32. The step noise
// comes from a generator seeded with options.seed (`sample` draws its starting noise from that stream first).
at::Tensor denoise(const DiffusionSchedule& schedule, const X0Predictor& predict_x0, const at::Tensor& x_t,
                   std::int64_t start, const SamplerOptions& options, const SamplingProgress& progress = {});

// SDEdit: clean clips x0 noised to timestep `start` (a draw of q(x_start | x0)) and denoised back from there. The
// noise comes as in sample(): one stream per row with row_seeds (the noising draw first, then each step's), else one
// from `seed`. Refines a clip while keeping what it is: the later `start`, the more is drawn anew.
at::Tensor renoise_and_denoise(const DiffusionSchedule& schedule, const X0Predictor& predict_x0, const at::Tensor& x0,
                               std::int64_t start, const SamplerOptions& options,
                               const SamplingProgress& progress = {});

}  // namespace skelaug::models
