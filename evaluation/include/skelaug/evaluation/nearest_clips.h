#pragma once

#include <ATen/Tensor.h>

namespace skelaug::evaluation {

// For each clip of `queries` [N, T, J, 3] (valid [N, T]): the smallest root-aligned deviation (clip_plausibility.h:
// mean per-joint distance after moving each frame's root to the origin, over frames valid in both) to any clip of
// `references` [M, T, J, 3] (valid [M, T]); float64 [N] on the CPU, NaN where no reference shares a valid frame. A
// generated set whose clips lie much nearer the held-out clips than real training clips do would be copying them.
// Exact: every pair is measured in double, but a reference is dropped as soon as its partial sum over frames exceeds
// the query's best so far, so most pairs cost a few frames (bench/nearest_clips_bench.cpp); queries run in parallel.
at::Tensor nearest_clip_distances(const at::Tensor& queries, const at::Tensor& query_valid, const at::Tensor& references,
                                  const at::Tensor& reference_valid);

}  // namespace skelaug::evaluation
