#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/GradMode.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "skelaug/data/device_copy.h"
#include "skelaug/models/diffusion.h"

namespace skelaug::models {
namespace {

// One reverse step x_t -> x_{t_prev} written as x_{t_prev} = coef_x0 * x0_hat + coef_xt * x_t + noise_std * z, with the
// coefficients computed in float64 so that the float32 tensor work is three fused-looking multiply-adds and the DDPM
// and DDIM(eta = 1, every step) paths agree to rounding.
struct ReverseStep {
  double coef_x0 = 0;
  double coef_xt = 0;
  double noise_std = 0;
};

ReverseStep ddpm_step(const DiffusionSchedule& schedule, std::int64_t t) {
  ReverseStep step;
  step.coef_x0 = schedule.posterior_mean_coef_x0().data_ptr<double>()[t];
  step.coef_xt = schedule.posterior_mean_coef_xt().data_ptr<double>()[t];
  // "fixedsmall": the posterior variance, which is exactly 0 at t = 0, so the last step returns the mean.
  step.noise_std = std::sqrt(schedule.posterior_variance().data_ptr<double>()[t]);
  return step;
}

// Song et al. 2021, eq. 12, with eps_hat = (x_t - sqrt(ab_t) x0_hat) / sqrt(1 - ab_t) substituted, so that no eps_hat
// tensor is formed (near t = 0 its 1 / sqrt(1 - ab_t) would magnify float32 rounding in x0_hat a hundredfold).
ReverseStep ddim_step(const DiffusionSchedule& schedule, std::int64_t t, std::int64_t t_prev, double eta) {
  const double alpha_bar = schedule.alpha_bar().data_ptr<double>()[t];
  const double alpha_bar_prev = t_prev >= 0 ? schedule.alpha_bar().data_ptr<double>()[t_prev] : 1.0;
  const double sigma = eta * std::sqrt((1.0 - alpha_bar_prev) / (1.0 - alpha_bar)) *
                       std::sqrt(std::max(0.0, 1.0 - alpha_bar / alpha_bar_prev));
  // eta > 1 can ask for more variance than the step has room for; the direction term then vanishes.
  const double direction = std::sqrt(std::max(0.0, 1.0 - alpha_bar_prev - sigma * sigma));
  const double eps_per_xt = direction / std::sqrt(1.0 - alpha_bar);
  ReverseStep step;
  step.coef_xt = eps_per_xt;
  step.coef_x0 = std::sqrt(alpha_bar_prev) - eps_per_xt * std::sqrt(alpha_bar);
  step.noise_std = sigma;
  return step;
}

void check_options(const DiffusionSchedule& schedule, const X0Predictor& predict_x0, const SamplerOptions& options) {
  if (!predict_x0) throw std::invalid_argument("diffusion sampling: no x0 predictor given");
  if (options.ddim_steps < 0 || options.ddim_steps > schedule.steps()) {
    throw std::invalid_argument("diffusion sampling: ddim_steps must lie in [0, " + std::to_string(schedule.steps()) +
                                "] (0 = DDPM), got " + std::to_string(options.ddim_steps));
  }
  if (!(options.eta >= 0.0) || !std::isfinite(options.eta)) {
    throw std::invalid_argument("diffusion sampling: eta must be finite and >= 0, got " + std::to_string(options.eta));
  }
}

// Where a sampler's Gaussian noise comes from: one generator for the batch (SamplerOptions::seed), or one per row
// (row_seeds). Noise is drawn on the CPU and moved: the same seeds then give the same samples on the CPU and on any
// GPU, and this compiles against CPU-only LibTorch. The copy is small next to a network evaluation and does not make
// the host wait for the device (data::to_device).
class NoiseSource {
 public:
  NoiseSource(const SamplerOptions& options, std::int64_t batch) : per_row_(!options.row_seeds.empty()) {
    if (!per_row_) {
      generators_.push_back(at::make_generator<at::CPUGeneratorImpl>(options.seed));
      return;
    }
    if (static_cast<std::int64_t>(options.row_seeds.size()) != batch) {
      throw std::invalid_argument("diffusion sampling: " + std::to_string(options.row_seeds.size()) +
                                  " row seeds for a batch of " + std::to_string(batch));
    }
    for (const auto seed : options.row_seeds) generators_.push_back(at::make_generator<at::CPUGeneratorImpl>(seed));
  }

  at::Tensor standard_normal(at::IntArrayRef shape, const at::Device& device) {
    const auto options = at::TensorOptions().dtype(at::kFloat);
    if (!per_row_) return data::to_device(at::randn(shape, generators_.front(), options), device);
    std::vector<at::Tensor> rows;
    rows.reserve(generators_.size());
    for (auto& generator : generators_) rows.push_back(at::randn(shape.slice(1), generator, options));
    return data::to_device(at::stack(rows), device);
  }

 private:
  bool per_row_;
  std::vector<at::Generator> generators_;
};

at::Tensor run_reverse_process(const DiffusionSchedule& schedule, const X0Predictor& predict_x0, at::Tensor x,
                               const std::vector<std::int64_t>& timesteps, const SamplerOptions& options,
                               NoiseSource& noise, const SamplingProgress& progress) {
  // The predictor is usually a network; without this, autograd would keep every step's graph alive.
  c10::NoGradGuard no_grad;
  const std::int64_t batch = x.size(0);
  const auto total = static_cast<std::int64_t>(timesteps.size());
  for (std::int64_t i = 0; i < total; ++i) {
    const std::int64_t t = timesteps[static_cast<std::size_t>(i)];
    const std::int64_t t_prev = i + 1 < total ? timesteps[static_cast<std::size_t>(i + 1)] : -1;
    const at::Tensor t_batch = at::full({batch}, t, at::TensorOptions().dtype(at::kLong).device(x.device()));
    at::Tensor x0_hat = predict_x0(x, t_batch);
    if (!x0_hat.defined() || x0_hat.sizes() != x.sizes()) {
      throw std::runtime_error("diffusion sampling: the x0 predictor returned a tensor of the wrong shape at t = " +
                               std::to_string(t));
    }
    x0_hat = x0_hat.to(x.device(), at::kFloat);
    const ReverseStep step =
        options.ddim_steps == 0 ? ddpm_step(schedule, t) : ddim_step(schedule, t, t_prev, options.eta);
    at::Tensor next = x0_hat * step.coef_x0 + x * step.coef_xt;
    // Drawing only when the step has noise keeps DDPM and DDIM(eta = 1, all steps) on the same random stream.
    if (step.noise_std > 0.0) next.add_(noise.standard_normal(x.sizes(), x.device()), step.noise_std);
    x = next;
    if (progress) progress(i + 1, total);
  }
  return x;
}

}  // namespace

std::vector<std::int64_t> sampling_timesteps(const DiffusionSchedule& schedule, std::int64_t start,
                                             const SamplerOptions& options) {
  if (start < 0 || start >= schedule.steps()) {
    throw std::invalid_argument("diffusion sampling: start timestep " + std::to_string(start) + " outside [0, " +
                                std::to_string(schedule.steps()) + ")");
  }
  if (options.ddim_steps < 0 || options.ddim_steps > schedule.steps()) {
    throw std::invalid_argument("diffusion sampling: ddim_steps must lie in [0, " + std::to_string(schedule.steps()) +
                                "] (0 = DDPM), got " + std::to_string(options.ddim_steps));
  }
  const std::int64_t count = options.ddim_steps == 0 ? start + 1 : std::min(options.ddim_steps, start + 1);
  std::vector<std::int64_t> timesteps(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) {
    // Evenly spaced from `start` down to 0; the spacing is >= 1 because count <= start + 1, so rounding keeps them
    // distinct. With one step, that step is `start` itself.
    const double position =
        count == 1 ? 0.0 : static_cast<double>(i) * static_cast<double>(start) / static_cast<double>(count - 1);
    timesteps[static_cast<std::size_t>(i)] = start - static_cast<std::int64_t>(std::llround(position));
  }
  return timesteps;
}

namespace {

// The reverse process from step `start` over a batch like `input` ([B, ...], named `what` in errors), starting from
// what start_from(noise) returns: it may draw from the batch's own noise streams first.
template <class StartFrom>
at::Tensor reverse_from(const DiffusionSchedule& schedule, const X0Predictor& predict_x0, const at::Tensor& input,
                        const char* what, std::int64_t start, const SamplerOptions& options,
                        const SamplingProgress& progress, const StartFrom& start_from) {
  check_options(schedule, predict_x0, options);
  if (!input.defined() || input.dim() < 1 || input.size(0) < 1) {
    throw std::invalid_argument(std::string("diffusion sampling: ") + what + " must be a non-empty tensor [B, ...]");
  }
  const std::vector<std::int64_t> timesteps = sampling_timesteps(schedule, start, options);
  NoiseSource noise(options, input.size(0));
  const at::Tensor x_start = start_from(noise);
  return run_reverse_process(schedule, predict_x0, x_start, timesteps, options, noise, progress);
}

}  // namespace

at::Tensor denoise(const DiffusionSchedule& schedule, const X0Predictor& predict_x0, const at::Tensor& x_t,
                   std::int64_t start, const SamplerOptions& options, const SamplingProgress& progress) {
  return reverse_from(schedule, predict_x0, x_t, "x_t", start, options, progress,
                      [&](NoiseSource&) { return x_t.to(at::kFloat); });
}

at::Tensor renoise_and_denoise(const DiffusionSchedule& schedule, const X0Predictor& predict_x0, const at::Tensor& x0,
                               std::int64_t start, const SamplerOptions& options, const SamplingProgress& progress) {
  return reverse_from(schedule, predict_x0, x0, "x0", start, options, progress, [&](NoiseSource& noise) {
    const auto clean = x0.to(at::kFloat);
    const auto t = at::full({x0.size(0)}, start, at::TensorOptions().dtype(at::kLong).device(x0.device()));
    return schedule.add_noise(clean, t, noise.standard_normal(clean.sizes(), clean.device())).to(at::kFloat);
  });
}

at::Tensor sample(const DiffusionSchedule& schedule, const X0Predictor& predict_x0, at::IntArrayRef shape,
                  const at::Device& device, const SamplerOptions& options, const SamplingProgress& progress) {
  check_options(schedule, predict_x0, options);
  if (shape.empty() || shape[0] < 1 ||
      std::any_of(shape.begin(), shape.end(), [](std::int64_t size) { return size < 1; })) {
    throw std::invalid_argument("diffusion sampling: shape must be [B, ...] with every size positive");
  }
  const std::vector<std::int64_t> timesteps = sampling_timesteps(schedule, schedule.steps() - 1, options);
  NoiseSource noise(options, shape[0]);
  at::Tensor x_noise = noise.standard_normal(shape, device);
  return run_reverse_process(schedule, predict_x0, x_noise, timesteps, options, noise, progress);
}

}  // namespace skelaug::models
