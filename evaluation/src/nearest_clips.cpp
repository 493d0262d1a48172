#include "skelaug/evaluation/nearest_clips.h"

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace skelaug::evaluation {
namespace {

// Root-aligned deviation of one query from one reference, given the frames valid in both; gives up (returns +inf) as
// soon as the partial sum proves it cannot beat `best`. The terms are non-negative, so the partial sum only grows:
// the early exit never changes the minimum, it only skips work on references that are already out of the race.
template <typename Scalar>
double deviation_below(const Scalar* query, const Scalar* reference, const std::vector<std::int64_t>& frames,
                       std::int64_t joints, double best) {
  const auto frame_stride = joints * 3;
  const double limit = best * static_cast<double>(frames.size()) * static_cast<double>(joints);
  double sum = 0;  // of per-joint distances over the shared frames
  for (const auto t : frames) {
    const Scalar* q = query + t * frame_stride;
    const Scalar* r = reference + t * frame_stride;
    for (std::int64_t j = 0; j < joints; ++j) {
      double squared = 0;
      for (int c = 0; c < 3; ++c) {
        // Both poses moved to their own root (joint 0) in double, as the per-pair definition does.
        const double d = (static_cast<double>(q[j * 3 + c]) - static_cast<double>(q[c])) -
                         (static_cast<double>(r[j * 3 + c]) - static_cast<double>(r[c]));
        squared += d * d;
      }
      sum += std::sqrt(squared);
    }
    if (sum > limit) return std::numeric_limits<double>::infinity();
  }
  // The mean over joints then over frames, in that order, as clip_plausibility's root_aligned_deviation takes it.
  return sum / static_cast<double>(joints) / static_cast<double>(frames.size());
}

template <typename Scalar>
void search(const at::Tensor& queries, const at::Tensor& query_valid, const at::Tensor& references,
            const at::Tensor& reference_valid, double* nearest) {
  const auto frames = queries.size(1), joints = queries.size(2), references_count = references.size(0);
  const auto clip_stride = frames * joints * 3;
  const Scalar* query_data = queries.data_ptr<Scalar>();
  const Scalar* reference_data = references.data_ptr<Scalar>();
  const bool* query_frames = query_valid.data_ptr<bool>();
  const bool* reference_frames = reference_valid.data_ptr<bool>();
  at::parallel_for(0, queries.size(0), 1, [&](std::int64_t begin, std::int64_t end) {
    std::vector<std::int64_t> shared;
    shared.reserve(static_cast<std::size_t>(frames));
    for (auto n = begin; n < end; ++n) {
      double best = std::numeric_limits<double>::infinity();
      for (std::int64_t m = 0; m < references_count; ++m) {
        shared.clear();
        for (std::int64_t t = 0; t < frames; ++t) {
          if (query_frames[n * frames + t] && reference_frames[m * frames + t]) shared.push_back(t);
        }
        if (shared.empty()) continue;
        best = std::min(best, deviation_below(query_data + n * clip_stride, reference_data + m * clip_stride, shared,
                                              joints, best));
      }
      nearest[n] = std::isinf(best) ? std::numeric_limits<double>::quiet_NaN() : best;
    }
  });
}

}  // namespace

at::Tensor nearest_clip_distances(const at::Tensor& queries, const at::Tensor& query_valid, const at::Tensor& references,
                                  const at::Tensor& reference_valid) {
  if (queries.dim() != 4 || references.dim() != 4 || queries.size(1) != references.size(1) ||
      queries.size(2) != references.size(2) || queries.size(3) != 3 || references.size(3) != 3) {
    throw std::invalid_argument("nearest_clip_distances: clips must be [N, T, J, 3] of one length and joint count");
  }
  if (query_valid.sizes() != queries.sizes().slice(0, 2) || reference_valid.sizes() != references.sizes().slice(0, 2)) {
    throw std::invalid_argument("nearest_clip_distances: valid masks must be [N, T] beside their clips");
  }
  // Kept in their own precision (float clips are not widened to a double copy: at NTU scale that doubles the memory);
  // every difference and sum is taken in double.
  const bool in_double = at::promote_types(queries.scalar_type(), references.scalar_type()) == at::kDouble;
  const auto type = in_double ? at::kDouble : at::kFloat;
  const auto query = queries.to(at::kCPU, type).contiguous();
  const auto reference = references.to(at::kCPU, type).contiguous();
  const auto query_frames = query_valid.to(at::kCPU).ne(0).contiguous();
  const auto reference_frames = reference_valid.to(at::kCPU).ne(0).contiguous();
  auto nearest = at::empty({queries.size(0)}, at::kDouble);
  AT_DISPATCH_FLOATING_TYPES(type, "nearest_clip_distances", [&] {
    search<scalar_t>(query, query_frames, reference, reference_frames, nearest.data_ptr<double>());
  });
  return nearest;
}

}  // namespace skelaug::evaluation
