#include "skelaug/evaluation/nearest_clips.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace skelaug::evaluation {
namespace {

at::Tensor root_aligned(const at::Tensor& clips) {
  const auto positions = clips.to(at::kDouble);
  return positions - positions.narrow(2, 0, 1);
}

}  // namespace

at::Tensor nearest_clip_distances(const at::Tensor& queries, const at::Tensor& query_valid, const at::Tensor& references,
                                  const at::Tensor& reference_valid) {
  if (queries.dim() != 4 || references.dim() != 4 || queries.size(1) != references.size(1) ||
      queries.size(2) != references.size(2)) {
    throw std::invalid_argument("nearest_clip_distances: clips must be [N, T, J, 3] of one length and joint count");
  }
  const auto query = root_aligned(queries);
  const auto reference = root_aligned(references);
  const auto query_frames = query_valid.to(at::kDouble).ne(0).to(at::kDouble);
  const auto reference_frames = reference_valid.to(at::kDouble).ne(0).to(at::kDouble);
  auto nearest = at::full({queries.size(0)}, std::numeric_limits<double>::quiet_NaN(), at::kDouble);
  // Blocks of queries against every reference keep the [q, M, T, J, 3] difference tensor near 50 MB.
  const auto per_query = std::max<std::int64_t>(1, references.size(0) * references.size(1) * references.size(2));
  const auto block = std::max<std::int64_t>(1, (2 << 20) / per_query);
  for (std::int64_t first = 0; first < queries.size(0); first += block) {
    const auto count = std::min(block, queries.size(0) - first);
    const auto q = query.narrow(0, first, count).unsqueeze(1);                      // [q, 1, T, J, 3]
    const auto per_joint = (q - reference.unsqueeze(0)).norm(2, -1).mean(-1);      // [q, M, T]
    const auto both = query_frames.narrow(0, first, count).unsqueeze(1) * reference_frames.unsqueeze(0);  // [q, M, T]
    const auto frames = both.sum(-1);
    auto deviation = (per_joint * both).sum(-1) / frames;
    deviation = deviation.masked_fill(frames.eq(0), std::numeric_limits<double>::infinity());
    auto smallest = std::get<0>(deviation.min(1));
    smallest = smallest.masked_fill(smallest.isinf(), std::numeric_limits<double>::quiet_NaN());
    nearest.narrow(0, first, count).copy_(smallest);
  }
  return nearest;
}

}  // namespace skelaug::evaluation
