#include "skelaug/data/skeleton_dataset.h"

#include <fmt/format.h>

#include <cmath>
#include <utility>

#include "skelaug/core/error.h"
#include "skelaug/data/frame_limits.h"
#include "skelaug/data/topology.h"

namespace skelaug::data {
namespace {

template <typename T>
T value_or(const std::vector<T>& column, std::size_t clip, T fallback) {
  return column.empty() ? fallback : column[clip];
}

// Grows an optional column to `clips` entries (filling `unknown`) once any clip has a known value.
template <typename T>
void put(std::vector<T>& column, std::size_t clips, const T& value, const T& unknown) {
  if (column.empty() && value == unknown) return;
  column.resize(clips, unknown);
  column.push_back(value);
}

}  // namespace

int SkeletonDataset::num_joints() const { return data::topology(topology).num_joints(); }

const float* SkeletonDataset::clip_data(std::size_t clip) const {
  return joints.data() + offsets[clip] * num_joints() * 3;
}

ClipInfo SkeletonDataset::info(std::size_t clip) const {
  ClipInfo info{value_or<std::int64_t>(subject, clip, -1), value_or<std::int64_t>(camera, clip, -1),
                value_or<std::int64_t>(body, clip, -1), value_or<std::string>(split, clip, ""),
                value_or<std::string>(source, clip, ""), {}};
  if (!gen_seed.empty()) {
    info.generation = {gen_exemplar[clip], gen_seed[clip], gen_rounds[clip], gen_deviation[clip],
                       gen_confidence[clip]};
  }
  return info;
}

void SkeletonDataset::add_clip(const float* data, std::int64_t frames, std::int64_t label, const ClipInfo& clip) {
  const auto values = static_cast<std::size_t>(frames) * static_cast<std::size_t>(num_joints()) * 3;
  const std::size_t clips = size();
  put<std::int64_t>(subject, clips, clip.subject, -1);
  put<std::int64_t>(camera, clips, clip.camera, -1);
  put<std::int64_t>(body, clips, clip.body, -1);
  put<std::string>(split, clips, clip.split, "");
  put<std::string>(source, clips, clip.source, "");
  if (!gen_seed.empty() || clip.generation.seed != -1) {  // the provenance columns grow together
    const GenerationProvenance unknown;
    gen_exemplar.resize(clips, unknown.exemplar);
    gen_seed.resize(clips, unknown.seed);
    gen_rounds.resize(clips, unknown.rounds);
    gen_deviation.resize(clips, unknown.deviation);
    gen_confidence.resize(clips, unknown.confidence);
    gen_exemplar.push_back(clip.generation.exemplar);
    gen_seed.push_back(clip.generation.seed);
    gen_rounds.push_back(clip.generation.rounds);
    gen_deviation.push_back(clip.generation.deviation);
    gen_confidence.push_back(clip.generation.confidence);
  }
  joints.insert(joints.end(), data, data + values);
  offsets.push_back(offsets.back() + frames);
  labels.push_back(label);
}

void SkeletonDataset::append(const SkeletonDataset& other) {
  if (other.topology != topology || other.class_names != class_names) {
    throw core::UserError(fmt::format("cannot merge datasets: topology {} vs {}, or different class names",
                                      topology, other.topology));
  }
  for (std::size_t i = 0; i < other.size(); ++i) {
    add_clip(other.clip_data(i), other.frames(i), other.labels[i], other.info(i));
  }
}

void SkeletonDataset::validate(const std::string& where) const {
  const auto fail = [&where](const std::string& what) { throw core::UserError(fmt::format("{}: {}", where, what)); };
  const int J = num_joints();  // throws for an unknown topology
  if (!(fps >= kMinFps && fps <= kMaxFps)) fail(fmt::format("fps must be between {} and {}, got {}", kMinFps, kMaxFps, fps));
  if (offsets.empty() || offsets.front() != 0) fail("offsets must start at 0");
  if (offsets.size() != labels.size() + 1) {
    fail(fmt::format("offsets has {} entries for {} labels (needs labels + 1)", offsets.size(), labels.size()));
  }
  for (std::size_t i = 0; i + 1 < offsets.size(); ++i) {
    if (offsets[i + 1] <= offsets[i]) fail(fmt::format("clip {} is empty or offsets decrease", i));
  }
  if (static_cast<std::int64_t>(joints.size()) != offsets.back() * J * 3) {
    fail(fmt::format("joints holds {} values, but offsets end at frame {} of {} joints x 3", joints.size(),
                     offsets.back(), J));
  }
  if (class_names.empty()) fail("no class names");
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || labels[i] >= static_cast<std::int64_t>(class_names.size())) {
      fail(fmt::format("clip {}: label {} is outside the {} classes", i, labels[i], class_names.size()));
    }
  }
  const auto check_column = [&](std::size_t column_size, const char* name) {
    if (column_size != 0 && column_size != labels.size()) {
      fail(fmt::format("{} has {} entries for {} clips", name, column_size, labels.size()));
    }
  };
  check_column(subject.size(), "subject");
  check_column(camera.size(), "camera");
  check_column(body.size(), "body");
  check_column(split.size(), "split");
  check_column(source.size(), "source");
  for (const auto& [column_size, name] : {std::pair{gen_exemplar.size(), "gen_exemplar"},
                                          std::pair{gen_rounds.size(), "gen_rounds"},
                                          std::pair{gen_deviation.size(), "gen_deviation"},
                                          std::pair{gen_confidence.size(), "gen_confidence"}}) {
    if (column_size != gen_seed.size()) {
      fail(fmt::format("{} has {} entries, gen_seed {} (the provenance columns go together)", name, column_size,
                       gen_seed.size()));
    }
  }
  check_column(gen_seed.size(), "gen_seed");
  const auto values_per_frame = static_cast<std::size_t>(J) * 3;
  for (std::size_t v = 0; v < joints.size(); ++v) {
    if (std::isfinite(joints[v])) continue;
    const auto frame = static_cast<std::int64_t>(v / values_per_frame);
    std::size_t clip = 0;
    while (offsets[clip + 1] <= frame) ++clip;
    fail(fmt::format("clip {} frame {} joint {}: coordinate is {}", clip, frame - offsets[clip],
                     (v % values_per_frame) / 3, joints[v]));
  }
}

}  // namespace skelaug::data
