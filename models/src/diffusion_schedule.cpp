#include <algorithm>
#include <cmath>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "skelaug/data/device_copy.h"
#include "skelaug/models/diffusion.h"

namespace skelaug::models {
namespace {

constexpr double kCosineOffset = 0.008;  // s in Nichol & Dhariwal: keeps beta_0 from being vanishingly small
constexpr double kPi = 3.14159265358979323846;
constexpr double kMaxBeta = 0.999;       // the cosine alpha_bar reaches 0 at u = 1; clipping keeps beta_{T-1} < 1

double cosine_alpha_bar_unnormalised(double u) {
  const double angle = (u + kCosineOffset) / (1.0 + kCosineOffset) * kPi / 2.0;
  return std::cos(angle) * std::cos(angle);
}

// Values gathered per sample from a table already on t's device, shaped [B, 1, ..., 1] to broadcast over a sample of
// `like`'s shape.
at::Tensor per_sample(const at::Tensor& table, const at::Tensor& t, const at::Tensor& like) {
  std::vector<std::int64_t> shape(static_cast<std::size_t>(like.dim()), 1);
  shape[0] = like.size(0);
  return table.index_select(0, t).view(shape);
}

}  // namespace

struct DiffusionSchedule::NoiseTableCache {
  struct Tables {
    at::Device device;
    at::ScalarType dtype;
    at::Tensor sqrt_alpha_bar;
    at::Tensor sqrt_one_minus_alpha_bar;
  };

  // The tables on `device` in `dtype`, copied there the first time they are asked for.
  const Tables& on(const at::Device& device, at::ScalarType dtype, const at::Tensor& sqrt_alpha_bar,
                   const at::Tensor& sqrt_one_minus_alpha_bar) {
    const std::lock_guard<std::mutex> lock(mutex);
    for (const auto& tables : cached) {
      if (tables.device == device && tables.dtype == dtype) return tables;
    }
    cached.push_back(
        {device, dtype, sqrt_alpha_bar.to(device, dtype), sqrt_one_minus_alpha_bar.to(device, dtype)});
    return cached.back();
  }

  std::mutex mutex;
  std::deque<Tables> cached;  // a deque: references handed out stay valid when more are added
};

DiffusionSchedule DiffusionSchedule::cosine(std::int64_t steps) {
  if (steps < 1) {
    throw std::invalid_argument("diffusion schedule: steps must be positive, got " + std::to_string(steps));
  }
  std::vector<double> betas(static_cast<std::size_t>(steps));
  for (std::int64_t t = 0; t < steps; ++t) {
    const double before = cosine_alpha_bar_unnormalised(static_cast<double>(t) / static_cast<double>(steps));
    const double after = cosine_alpha_bar_unnormalised(static_cast<double>(t + 1) / static_cast<double>(steps));
    betas[static_cast<std::size_t>(t)] = std::min(1.0 - after / before, kMaxBeta);
  }
  return DiffusionSchedule(at::tensor(betas, at::kDouble));
}

DiffusionSchedule DiffusionSchedule::from_betas(const at::Tensor& betas) { return DiffusionSchedule(betas); }

DiffusionSchedule::DiffusionSchedule(const at::Tensor& betas) {
  if (!betas.defined() || betas.dim() != 1 || betas.numel() < 1) {
    throw std::invalid_argument("diffusion schedule: betas must be a non-empty 1-D tensor");
  }
  betas_ = betas.to(at::kCPU, at::kDouble).contiguous().clone();
  const double smallest = betas_.min().item<double>();
  const double largest = betas_.max().item<double>();
  if (!(smallest > 0.0) || !(largest < 1.0)) {
    throw std::invalid_argument("diffusion schedule: every beta must lie in (0, 1), got range [" +
                                std::to_string(smallest) + ", " + std::to_string(largest) + "]");
  }
  steps_ = betas_.size(0);
  alpha_bar_ = at::cumprod(1.0 - betas_, 0);
  alpha_bar_prev_ = at::cat({at::ones({1}, betas_.options()), alpha_bar_.slice(0, 0, steps_ - 1)});
  sqrt_alpha_bar_ = alpha_bar_.sqrt();
  sqrt_one_minus_alpha_bar_ = (1.0 - alpha_bar_).sqrt();
  posterior_variance_ = betas_ * (1.0 - alpha_bar_prev_) / (1.0 - alpha_bar_);
  posterior_mean_coef_x0_ = betas_ * alpha_bar_prev_.sqrt() / (1.0 - alpha_bar_);
  posterior_mean_coef_xt_ = (1.0 - alpha_bar_prev_) * (1.0 - betas_).sqrt() / (1.0 - alpha_bar_);
  noise_tables_ = std::make_shared<NoiseTableCache>();
}

double DiffusionSchedule::alpha_bar_at(std::int64_t t) const {
  if (t < 0 || t >= steps_) {
    throw std::invalid_argument("diffusion schedule: timestep " + std::to_string(t) + " outside [0, " +
                                std::to_string(steps_) + ")");
  }
  return alpha_bar_.data_ptr<double>()[t];
}

at::Tensor DiffusionSchedule::add_noise(const at::Tensor& x0, const at::Tensor& t, const at::Tensor& noise) const {
  if (!x0.defined() || x0.dim() < 1 || !noise.defined() || noise.sizes() != x0.sizes()) {
    throw std::invalid_argument("add_noise: x0 and noise must have the same shape [B, ...]");
  }
  if (!t.defined() || t.dim() != 1 || t.size(0) != x0.size(0) || t.scalar_type() != at::kLong) {
    throw std::invalid_argument("add_noise: t must be an int64 tensor [B] matching x0's batch");
  }
  if (t.device().is_cpu() && t.numel() > 0) {
    const std::int64_t lowest = t.min().item<std::int64_t>();
    const std::int64_t highest = t.max().item<std::int64_t>();
    if (lowest < 0 || highest >= steps_) {
      throw std::invalid_argument("add_noise: timesteps must lie in [0, " + std::to_string(steps_) + "), got [" +
                                  std::to_string(lowest) + ", " + std::to_string(highest) + "]");
    }
  }
  const auto& tables = noise_tables_->on(x0.device(), x0.scalar_type(), sqrt_alpha_bar_, sqrt_one_minus_alpha_bar_);
  const auto t_here = data::to_device(t, x0.device());
  return per_sample(tables.sqrt_alpha_bar, t_here, x0) * x0 +
         per_sample(tables.sqrt_one_minus_alpha_bar, t_here, x0) * noise.to(x0.device(), x0.scalar_type());
}

}  // namespace skelaug::models
