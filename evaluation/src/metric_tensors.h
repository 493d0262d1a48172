#pragma once

// Small tensor helpers the metrics share (private to skelaug::evaluation).
#include <ATen/ATen.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

namespace skelaug::evaluation::detail {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

inline std::string shape_of(const at::Tensor& tensor) { return fmt::format("[{}]", fmt::join(tensor.sizes(), ", ")); }

inline nlohmann::json number_or_null(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

inline at::Tensor cpu_double(const at::Tensor& tensor) { return tensor.detach().to(at::kCPU, at::kDouble).contiguous(); }

// Euclidean length along `dim` (dim removed).
inline at::Tensor euclidean_norm(const at::Tensor& tensor, std::int64_t dim) { return tensor.pow(2).sum(dim).sqrt(); }

// Mean of a tensor's elements as a double; NaN for an empty tensor (rather than LibTorch's NaN-with-a-warning).
inline double mean_or_nan(const at::Tensor& values) { return values.numel() == 0 ? kNaN : values.mean().item<double>(); }

}  // namespace skelaug::evaluation::detail
