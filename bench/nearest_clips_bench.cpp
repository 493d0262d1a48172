// The copying check's nearest-clip search (evaluation::nearest_clip_distances) against the formulation it replaced:
// whole-tensor differences of a block of queries against every reference, in double, then norms and masked means.
// Both answer the same question exactly, so the bench also prints the largest disagreement between them.
// Clips are synthetic but structured like a skeleton set: per class a rest pose and a motion, per clip its own
// amplitude, speed, phase, global drift and sensor noise, some clips shorter than the window.
// Usage: bench_nearest_clips [QUERIES (200)] [REFERENCES (840)] [FRAMES (48)] [JOINTS (25)] [THREADS (all)]
//        bench_nearest_clips DATASET.npz [FRAMES (48)] [THREADS (all)]: real clips instead, the training split's
//        against the test split's, each through its middle window of FRAMES as the copying check takes them.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "skelaug/augment/copying_check.h"
#include "skelaug/data/dataset_io.h"
#include "skelaug/evaluation/nearest_clips.h"

namespace {

constexpr std::int64_t kClasses = 20;

struct Clips {
  at::Tensor joints;  // [N, T, J, 3]
  at::Tensor valid;   // [N, T]
};

Clips synthetic_clips(std::int64_t count, std::int64_t frames, std::int64_t joints, std::uint64_t seed) {
  at::manual_seed(seed);
  const auto rest = at::randn({kClasses, 1, joints, 3}) * 0.3;     // a pose per class
  const auto swing = at::randn({kClasses, 1, joints, 3}) * 0.15;   // how each joint moves in that class
  const auto label = at::randint(kClasses, {count}, at::kLong);
  const auto time = at::arange(frames, at::kFloat).view({1, frames, 1, 1}) / 15.0;
  const auto amplitude = 0.7 + 0.6 * at::rand({count, 1, 1, 1});
  const auto speed = 2.0 + 2.0 * at::rand({count, 1, 1, 1});
  const auto phase = 6.28 * at::rand({count, 1, 1, 1});
  const auto drift = at::randn({count, 1, 1, 3}) * 0.2 * time;
  const auto motion = amplitude * swing.index_select(0, label) * at::sin(speed * time + phase);
  const auto positions = rest.index_select(0, label) + motion + drift + 0.01 * at::randn({count, frames, joints, 3});
  auto valid = at::ones({count, frames});
  for (std::int64_t n = 0; n < count; ++n) {
    const auto length = at::randint(frames / 2, frames + 1, {1}, at::kLong).item<std::int64_t>();
    valid[n].narrow(0, length, frames - length).zero_();
  }
  return {positions.to(at::kFloat).contiguous(), valid};
}

// The copying check's own preparation of a split's clips.
Clips split_clips(const skelaug::data::SkeletonDataset& dataset, const std::string& split, std::int64_t frames) {
  std::vector<std::int64_t> clips;
  for (std::size_t clip = 0; clip < dataset.size(); ++clip) {
    if (dataset.split[clip] == split) clips.push_back(static_cast<std::int64_t>(clip));
  }
  auto prepared = skelaug::augment::CopyingCheck::prepare(dataset, clips, frames);
  return {prepared.joints, prepared.valid};
}

// The replaced formulation, kept here as the side-by-side reference.
at::Tensor tensor_formulation(const Clips& queries, const Clips& references) {
  const auto aligned = [](const at::Tensor& clips) {
    const auto positions = clips.to(at::kDouble);
    return positions - positions.narrow(2, 0, 1);
  };
  const auto query = aligned(queries.joints), reference = aligned(references.joints);
  const auto query_frames = queries.valid.to(at::kDouble).ne(0).to(at::kDouble);
  const auto reference_frames = references.valid.to(at::kDouble).ne(0).to(at::kDouble);
  auto nearest = at::full({query.size(0)}, std::numeric_limits<double>::quiet_NaN(), at::kDouble);
  const auto per_query = std::max<std::int64_t>(1, reference.size(0) * reference.size(1) * reference.size(2));
  const auto block = std::max<std::int64_t>(1, (2 << 20) / per_query);
  for (std::int64_t first = 0; first < query.size(0); first += block) {
    const auto count = std::min(block, query.size(0) - first);
    const auto per_joint = (query.narrow(0, first, count).unsqueeze(1) - reference.unsqueeze(0)).norm(2, -1).mean(-1);
    const auto both = query_frames.narrow(0, first, count).unsqueeze(1) * reference_frames.unsqueeze(0);
    const auto frames = both.sum(-1);
    auto deviation = ((per_joint * both).sum(-1) / frames).masked_fill(frames.eq(0), INFINITY);
    auto smallest = std::get<0>(deviation.min(1));
    nearest.narrow(0, first, count).copy_(smallest.masked_fill(smallest.isinf(), NAN));
  }
  return nearest;
}

template <typename Work>
double seconds_of(Work&& work) {
  const auto start = std::chrono::steady_clock::now();
  work();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const auto argument = [&](int i, std::int64_t fallback) { return argc > i ? std::atoll(argv[i]) : fallback; };
  const bool real = argc > 1 && std::string(argv[1]).find(".npz") != std::string::npos;
  Clips queries, references;
  if (real) {
    const auto dataset = skelaug::data::load_dataset(argv[1]);
    if (argc > 3) at::set_num_threads(static_cast<int>(argument(3, 1)));
    queries = split_clips(dataset, "train", argument(2, 48));
    references = split_clips(dataset, "test", argument(2, 48));
    fmt::print("{}: training clips against test clips\n", argv[1]);
  } else {
    if (argc > 5) at::set_num_threads(static_cast<int>(argument(5, 1)));
    references = synthetic_clips(argument(2, 840), argument(3, 48), argument(4, 25), 1);
    queries = synthetic_clips(argument(1, 200), argument(3, 48), argument(4, 25), 2);
  }
  const auto queries_count = queries.joints.size(0), references_count = references.joints.size(0);
  const auto frames = queries.joints.size(1), joints = queries.joints.size(2);

  at::Tensor before, after;
  const double reference_seconds = seconds_of([&] { before = tensor_formulation(queries, references); });
  const double search_seconds = seconds_of([&] {
    after = skelaug::evaluation::nearest_clip_distances(queries.joints, queries.valid, references.joints,
                                                         references.valid);
  });
  const auto disagreement = (before - after).abs().max().item<double>();
  const auto pairs = static_cast<double>(queries_count) * static_cast<double>(references_count);
  fmt::print("{} queries x {} references, {} frames, {} joints, {} threads\n", queries_count, references_count, frames,
             joints, at::get_num_threads());
  fmt::print("tensor formulation (reference): {:.3f} s ({:.0f} pairs/s)\n", reference_seconds,
             pairs / reference_seconds);
  fmt::print("early-exit search:              {:.3f} s ({:.0f} pairs/s)\n", search_seconds, pairs / search_seconds);
  fmt::print("speed-up {:.1f}x; largest difference between the two {:.2e} m; median nearest {:.4f} m\n",
             reference_seconds / search_seconds, disagreement, after.median().item<double>());
  return disagreement < 1e-9 ? 0 : 1;
}
