#include "skelaug/evaluation/clip_plausibility.h"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <limits>
#include <stdexcept>
#include <vector>

#include "metric_tensors.h"

namespace skelaug::evaluation {
namespace {

using namespace detail;

void check(const at::Tensor& positions, const at::Tensor& valid, const char* what) {
  if (positions.dim() != 4 || positions.size(3) != 3 || valid.dim() != 2 || valid.size(0) != positions.size(0) ||
      valid.size(1) != positions.size(1)) {
    throw std::invalid_argument(fmt::format("{}: positions must be [N, T, J, 3] and valid [N, T], got {} and {}", what,
                                            shape_of(positions), shape_of(valid)));
  }
}

// Sum over the last dimensions of values [N, ...] where `weights` [N, ...] is 1, divided by the weights' sum: [N],
// NaN where a clip has no weight.
at::Tensor masked_mean_per_clip(const at::Tensor& values, const at::Tensor& weights) {
  const auto total = (values * weights).flatten(1).sum(1);
  const auto count = weights.flatten(1).sum(1);
  return at::where(count > 0, total / count.clamp_min(1), at::full({}, std::numeric_limits<double>::quiet_NaN(),
                                                                    at::kDouble));
}

}  // namespace

at::Tensor bone_lengths(const at::Tensor& positions, const data::Topology& topology) {
  std::vector<std::int64_t> children, parents;
  for (const auto& [child, parent] : topology.edges()) {
    children.push_back(child);
    parents.push_back(parent);
  }
  if (children.empty()) return at::zeros({positions.size(0), positions.size(1), 0}, positions.options());
  const auto index = [&](const std::vector<std::int64_t>& joints) {
    return at::tensor(joints, at::kLong).to(positions.device());
  };
  return euclidean_norm(positions.index_select(2, index(children)) - positions.index_select(2, index(parents)), 3);
}

JerkWindows jerk_windows(const at::Tensor& positions, const at::Tensor& valid) {
  const auto frames = positions.size(1);
  const auto windows = std::max<std::int64_t>(frames - 3, 0);
  const auto window = [&](const at::Tensor& tensor, std::int64_t start) { return tensor.narrow(1, start, windows); };
  if (windows == 0) {
    return {at::zeros({positions.size(0), 0, positions.size(2)}, positions.options()),
            at::zeros({positions.size(0), 0}, at::kBool)};
  }
  const auto on = valid.ne(0);
  const auto jerk = window(positions, 3) - 3.0 * window(positions, 2) + 3.0 * window(positions, 1) -
                    window(positions, 0);
  return {euclidean_norm(jerk, 3),
          window(on, 0).logical_and(window(on, 1)).logical_and(window(on, 2)).logical_and(window(on, 3))};
}

at::Tensor clip_bone_length_error(const at::Tensor& positions, const at::Tensor& valid, const at::Tensor& reference,
                                  const data::Topology& topology) {
  check(positions, valid, "clip_bone_length_error");
  const auto lengths = bone_lengths(cpu_double(positions), topology);  // [N, T, E]
  const auto error = (lengths - cpu_double(reference).unsqueeze(1)).abs();
  const auto weights = valid.to(at::kCPU).ne(0).to(at::kDouble).unsqueeze(-1).expand_as(error);
  return masked_mean_per_clip(error, weights);
}

at::Tensor clip_jitter(const at::Tensor& positions, const at::Tensor& valid, double fps) {
  check(positions, valid, "clip_jitter");
  const auto jerk = jerk_windows(cpu_double(positions), valid.to(at::kCPU));
  const auto weights = jerk.valid.to(at::kDouble).unsqueeze(-1).expand_as(jerk.magnitude);
  return masked_mean_per_clip(jerk.magnitude, weights) * (fps * fps * fps);
}

at::Tensor root_aligned_deviation(const at::Tensor& a, const at::Tensor& a_valid, const at::Tensor& b,
                                  const at::Tensor& b_valid) {
  check(a, a_valid, "root_aligned_deviation");
  check(b, b_valid, "root_aligned_deviation");
  if (a.sizes() != b.sizes()) {
    throw std::invalid_argument(
        fmt::format("root_aligned_deviation: clips {} and {} differ in shape", shape_of(a), shape_of(b)));
  }
  const auto pose = [](const at::Tensor& positions) {
    const auto x = cpu_double(positions);
    return x - x.narrow(2, 0, 1);
  };
  const auto distance = euclidean_norm(pose(a) - pose(b), 3);  // [N, T, J]
  const auto both = a_valid.to(at::kCPU).ne(0).logical_and(b_valid.to(at::kCPU).ne(0));
  return masked_mean_per_clip(distance, both.to(at::kDouble).unsqueeze(-1).expand_as(distance));
}

}  // namespace skelaug::evaluation
