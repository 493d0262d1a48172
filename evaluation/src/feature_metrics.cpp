#include "skelaug/evaluation/feature_metrics.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <stdexcept>
#include <utility>

#include "metric_tensors.h"

namespace skelaug::evaluation {

using namespace detail;  // the shared tensor helpers (metric_tensors.h)

namespace {

// features [N, D], N >= minimum_rows, finite, as float64 on the CPU.
at::Tensor checked_features(const at::Tensor& features, std::int64_t minimum_rows, const char* what) {
  if (features.dim() != 2 || features.size(0) < minimum_rows || features.size(1) < 1) {
    throw std::invalid_argument(fmt::format("{}: features must be [N, D] with N >= {} and D >= 1, got {}", what,
                                            minimum_rows, shape_of(features)));
  }
  auto result = cpu_double(features);
  if (!at::isfinite(result).all().item<bool>()) {
    throw std::invalid_argument(fmt::format("{}: features {} contain NaN or infinity", what, shape_of(features)));
  }
  return result;
}

// Mean distance between `pairs` random pairs of distinct rows among `rows` (indices into features).
double mean_pair_distance(const at::Tensor& features, const std::vector<std::int64_t>& rows, std::int64_t pairs,
                          std::mt19937_64& random) {
  const auto count = static_cast<std::int64_t>(rows.size());
  std::vector<std::int64_t> first(pairs), second(pairs);
  for (std::int64_t p = 0; p < pairs; ++p) {
    const auto i = uniform_below(random, count);
    auto j = uniform_below(random, count - 1);  // any row but i
    if (j >= i) ++j;
    first[p] = rows[i];
    second[p] = rows[j];
  }
  const auto a = features.index_select(0, at::tensor(first, at::kLong));
  const auto b = features.index_select(0, at::tensor(second, at::kLong));
  return euclidean_norm(a - b, 1).mean().item<double>();
}

// Square root of a symmetric positive semi-definite matrix, V diag(sqrt(max(lambda, 0))) V^T.
at::Tensor symmetric_sqrt(const at::Tensor& matrix) {
  const auto [eigenvalues, eigenvectors] = at::linalg_eigh(matrix);
  return at::matmul(eigenvectors * eigenvalues.clamp_min(0.0).sqrt().unsqueeze(0), eigenvectors.transpose(0, 1));
}

at::Tensor covariance(const at::Tensor& features, const at::Tensor& mean) {
  const auto centred = features - mean.unsqueeze(0);
  return at::matmul(centred.transpose(0, 1), centred) / static_cast<double>(features.size(0) - 1);
}

}  // namespace

double frechet_distance(const at::Tensor& features_a, const at::Tensor& features_b) {
  const auto a = checked_features(features_a, 2, "frechet_distance");
  const auto b = checked_features(features_b, 2, "frechet_distance");
  if (a.size(1) != b.size(1)) {
    throw std::invalid_argument(
        fmt::format("frechet_distance: feature sizes differ: {} and {}", shape_of(features_a), shape_of(features_b)));
  }
  const auto mean_a = a.mean(0);
  const auto mean_b = b.mean(0);
  const auto covariance_a = covariance(a, mean_a);
  const auto covariance_b = covariance(b, mean_b);

  const auto sqrt_a = symmetric_sqrt(covariance_a);
  auto product = at::matmul(at::matmul(sqrt_a, covariance_b), sqrt_a);
  // Symmetric in exact arithmetic; symmetrised so that rounding cannot make eigvalsh read a different matrix (it reads
  // one triangle only).
  product = (product + product.transpose(0, 1)) * 0.5;
  const auto trace_sqrt_product = at::linalg_eigvalsh(product).clamp_min(0.0).sqrt().sum().item<double>();

  const auto mean_term = (mean_a - mean_b).pow(2).sum().item<double>();
  const auto trace_term =
      covariance_a.trace().item<double>() + covariance_b.trace().item<double>() - 2.0 * trace_sqrt_product;
  return std::max(0.0, mean_term + trace_term);
}

double diversity(const at::Tensor& features, std::int64_t pairs, std::uint64_t seed) {
  const auto rows = checked_features(features, 2, "diversity");
  if (pairs < 1) throw std::invalid_argument(fmt::format("diversity: pairs must be >= 1, got {}", pairs));
  std::vector<std::int64_t> all(rows.size(0));
  for (std::int64_t i = 0; i < rows.size(0); ++i) all[i] = i;
  std::mt19937_64 random(seed);
  return mean_pair_distance(rows, all, pairs, random);
}

double multimodality(const at::Tensor& features, const at::Tensor& labels, std::int64_t pairs_per_class,
                     std::uint64_t seed) {
  const auto rows = checked_features(features, 1, "multimodality");
  if (labels.dim() != 1 || labels.size(0) != rows.size(0) || at::isFloatingType(labels.scalar_type())) {
    throw std::invalid_argument(fmt::format("multimodality: labels must be integer [{}] beside features {}, got {}",
                                            rows.size(0), shape_of(features), shape_of(labels)));
  }
  if (pairs_per_class < 1) {
    throw std::invalid_argument(fmt::format("multimodality: pairs_per_class must be >= 1, got {}", pairs_per_class));
  }
  const auto classes = labels.detach().to(at::kCPU, at::kLong).contiguous();
  std::map<std::int64_t, std::vector<std::int64_t>> rows_of_class;  // ordered: the draws do not depend on hashing
  for (std::int64_t i = 0; i < classes.size(0); ++i) rows_of_class[classes.data_ptr<std::int64_t>()[i]].push_back(i);

  std::mt19937_64 random(seed);
  double sum = 0.0;
  std::int64_t counted = 0;
  for (const auto& [label, members] : rows_of_class) {
    if (members.size() < 2) continue;
    sum += mean_pair_distance(rows, members, pairs_per_class, random);
    ++counted;
  }
  if (counted == 0) {
    throw std::invalid_argument(
        fmt::format("multimodality: no class among {} samples has 2 or more samples", rows.size(0)));
  }
  return sum / counted;
}

MeanAndInterval mean_and_interval(const std::vector<double>& values) {
  if (values.empty()) throw std::invalid_argument("mean_and_interval: no values");
  const auto n = static_cast<double>(values.size());
  double sum = 0.0;
  for (const auto value : values) sum += value;
  const auto mean = sum / n;
  double squares = 0.0;
  for (const auto value : values) squares += (value - mean) * (value - mean);
  return {mean, 1.96 * std::sqrt(squares / n) / std::sqrt(n)};
}

std::int64_t uniform_below(std::mt19937_64& random, std::int64_t bound) {
  const auto range = static_cast<std::uint64_t>(bound);
  const std::uint64_t rejected_below = (0 - range) % range;  // 2^64 mod range
  std::uint64_t draw = 0;
  do {
    draw = random();
  } while (draw < rejected_below);
  return static_cast<std::int64_t>(draw % range);
}

}  // namespace skelaug::evaluation
