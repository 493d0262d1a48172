#include "skelaug/data/transforms.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "skelaug/core/error.h"
#include "skelaug/core/seeding.h"

namespace skelaug::data {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Uniform in [-1, 1) from 53 random bits: engine-exact on every platform (std::uniform_real_distribution is not).
double symmetric_uniform(std::mt19937_64& engine) {
  return static_cast<double>(engine() >> 11) * (2.0 / 9007199254740992.0) - 1.0;
}

}  // namespace

at::Tensor clip_tensor(const SkeletonDataset& dataset, std::size_t clip) {
  const auto frames = dataset.frames(clip);
  return at::from_blob(const_cast<float*>(dataset.clip_data(clip)), {frames, dataset.num_joints(), 3}, at::kFloat)
      .clone();
}

at::Tensor centre_root(const at::Tensor& clip, RootCentring mode, int root) {
  switch (mode) {
    case RootCentring::kNone: return clip;
    case RootCentring::kFirstFrame: return clip - clip.select(0, 0).select(0, root);
    case RootCentring::kPerFrame: return clip - clip.select(1, root).unsqueeze(1);
  }
  return clip;
}

at::Tensor resample(const at::Tensor& clip, std::int64_t frames) {
  const auto source = clip.size(0);
  if (frames == source) return clip;
  if (source == 1) return clip.expand({frames, clip.size(1), clip.size(2)}).clone();
  const auto position = frames == 1 ? at::zeros({1}, at::kDouble)
                                    : at::linspace(0.0, static_cast<double>(source - 1), frames, at::kDouble);
  const auto lower = position.floor().to(at::kLong).clamp(0, source - 2);
  const auto weight = (position - lower.to(at::kDouble)).to(clip.scalar_type()).view({frames, 1, 1});
  return clip.index_select(0, lower) * (1 - weight) + clip.index_select(0, lower + 1) * weight;
}

FixedLengthClip fix_length(const at::Tensor& clip, std::int64_t length, LengthMode mode, std::mt19937_64& engine) {
  const auto frames = clip.size(0);
  if (mode == LengthMode::kResample) return {resample(clip, length), at::ones({length}, at::kFloat)};
  if (frames >= length) {
    const std::int64_t start = mode == LengthMode::kCentreCrop
                                   ? (frames - length) / 2
                                   : static_cast<std::int64_t>(engine() % static_cast<std::uint64_t>(frames - length + 1));
    return {clip.narrow(0, start, length).clone(), at::ones({length}, at::kFloat)};
  }
  auto padding = clip.select(0, frames - 1).unsqueeze(0).expand({length - frames, clip.size(1), clip.size(2)});
  auto mask = at::zeros({length}, at::kFloat);
  mask.narrow(0, 0, frames).fill_(1);
  return {at::cat({clip, padding}, 0), mask};
}

at::Tensor mirror(const at::Tensor& clip, const Topology& topology, int lateral_axis) {
  const auto permutation = topology.mirror_permutation();
  auto index = at::empty({static_cast<std::int64_t>(permutation.size())}, at::kLong);
  std::copy(permutation.begin(), permutation.end(), index.data_ptr<std::int64_t>());
  auto mirrored = clip.index_select(1, index);
  mirrored.select(2, lateral_axis).neg_();
  return mirrored;
}

at::Tensor augment_spatial(const at::Tensor& clip, const AugmentOptions& options, const Topology& topology,
                           std::mt19937_64& engine, bool* mirrored) {
  auto result = clip;
  const bool mirror_this =
      options.mirror_probability > 0 && (symmetric_uniform(engine) + 1) / 2 < options.mirror_probability;
  if (mirror_this) result = mirror(result, topology, options.lateral_axis);
  if (mirrored != nullptr) *mirrored = mirror_this;
  if (options.rotation_deg > 0) {
    const double angle = symmetric_uniform(engine) * options.rotation_deg * kPi / 180.0;
    // A rotation about the vertical axis mixes the two other axes.
    const int a = (options.vertical_axis + 1) % 3;
    const int b = (options.vertical_axis + 2) % 3;
    auto rotation = at::eye(3, at::kFloat);
    rotation[a][a] = std::cos(angle);
    rotation[a][b] = -std::sin(angle);
    rotation[b][a] = std::sin(angle);
    rotation[b][b] = std::cos(angle);
    result = at::matmul(result, rotation.t());
  }
  if (options.scale > 0) result = result * static_cast<float>(1.0 + options.scale * symmetric_uniform(engine));
  if (options.jitter_std > 0) {
    auto generator = at::detail::createCPUGenerator(engine());
    result = result + at::randn(result.sizes(), generator, at::TensorOptions().dtype(at::kFloat)) *
                          static_cast<float>(options.jitter_std);
  }
  return result.is_same(clip) ? clip.clone() : result;
}

NormalisationStats NormalisationStats::compute(const SkeletonDataset& dataset, RootCentring centring) {
  const int J = dataset.num_joints();
  auto sum = at::zeros({J, 3}, at::kDouble);
  auto sum_squares = at::zeros({J, 3}, at::kDouble);
  for (std::size_t clip = 0; clip < dataset.size(); ++clip) {
    const auto centred = centre_root(clip_tensor(dataset, clip), centring).to(at::kDouble);
    sum += centred.sum(0);
    sum_squares += centred.square().sum(0);
  }
  const double count = static_cast<double>(std::max<std::int64_t>(1, dataset.total_frames()));
  const auto mean = sum / count;
  const auto variance = (sum_squares / count - mean.square()).clamp_min(0);
  return {mean.to(at::kFloat), variance.sqrt().clamp_min(1e-4).to(at::kFloat)};
}

at::Tensor NormalisationStats::normalise(const at::Tensor& clip) const { return (clip - mean) / std; }
at::Tensor NormalisationStats::denormalise(const at::Tensor& clip) const { return clip * std + mean; }

std::vector<std::int64_t> subset_indices(const SkeletonDataset& dataset, const std::string& split, double fraction,
                                         std::uint64_t seed) {
  if (!(fraction > 0 && fraction <= 1)) {
    throw core::UserError(fmt::format("subset fraction must be in (0, 1], got {}", fraction));
  }
  if (!split.empty() && dataset.split.empty()) {
    throw core::UserError(fmt::format("the dataset has no splits, so split '{}' cannot be selected", split));
  }
  std::map<std::int64_t, std::vector<std::int64_t>> by_class;
  for (std::size_t i = 0; i < dataset.size(); ++i) {
    if (split.empty() || dataset.split[i] == split) by_class[dataset.labels[i]].push_back(static_cast<std::int64_t>(i));
  }
  if (by_class.empty()) throw core::UserError(fmt::format("split '{}' holds no clips", split));
  std::vector<std::int64_t> kept;
  for (auto& [label, members] : by_class) {
    std::mt19937_64 engine(core::mix_seed(seed, static_cast<std::uint64_t>(label), 0x5ab5e7));
    for (std::size_t i = members.size() - 1; i > 0; --i) {
      std::swap(members[i], members[static_cast<std::size_t>(engine() % (i + 1))]);
    }
    const auto keep = std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(fraction * members.size())));
    kept.insert(kept.end(), members.begin(), members.begin() + static_cast<std::ptrdiff_t>(keep));
  }
  std::sort(kept.begin(), kept.end());
  return kept;
}

std::vector<std::int64_t> clips_outside(const SkeletonDataset& dataset, const std::string& split,
                                        const std::vector<std::int64_t>& used) {
  const std::set<std::int64_t> trained_on(used.begin(), used.end());
  auto left_out = subset_indices(dataset, split, 1.0, 0);
  left_out.erase(std::remove_if(left_out.begin(), left_out.end(),
                                [&](std::int64_t clip) { return trained_on.count(clip) > 0; }),
                 left_out.end());
  return left_out;
}

}  // namespace skelaug::data
