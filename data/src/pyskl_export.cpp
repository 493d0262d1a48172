// A skelaug dataset -> a PYSKL annotation pickle.
#include "skelaug/data/pyskl_export.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "python_tool.h"
#include "skelaug/core/error.h"
#include "skelaug/data/npz.h"
#include "temporary_directory.h"

namespace skelaug::data {
namespace {

// One PYSKL annotation: the clips that are its bodies, in body order.
using Annotation = std::vector<std::size_t>;

// Clips that share a source and carry distinct known body numbers are the bodies of one recording; every other clip
// is an annotation of its own. Annotations keep the order of their first clip.
std::vector<Annotation> group_bodies(const SkeletonDataset& dataset) {
  std::vector<Annotation> annotations;
  std::map<std::string, std::size_t> by_source;  // source -> its annotation
  for (std::size_t clip = 0; clip < dataset.size(); ++clip) {
    const auto info = dataset.info(clip);
    if (info.source.empty() || info.body < 0) {
      annotations.push_back({clip});
      continue;
    }
    const auto [at, added] = by_source.emplace(info.source, annotations.size());
    if (added) annotations.emplace_back();
    annotations[at->second].push_back(clip);
  }
  std::vector<Annotation> result;
  for (auto& clips : annotations) {
    std::sort(clips.begin(), clips.end(),
              [&](std::size_t a, std::size_t b) { return dataset.info(a).body < dataset.info(b).body; });
    bool distinct = true;
    for (std::size_t k = 1; k < clips.size(); ++k) distinct = distinct && dataset.body[clips[k]] != dataset.body[clips[k - 1]];
    if (distinct) {
      result.push_back(clips);
    } else {  // the same body twice is not a multi-body recording: keep the clips apart, in clip order
      std::sort(clips.begin(), clips.end());
      for (const auto clip : clips) result.push_back({clip});
    }
  }
  std::sort(result.begin(), result.end(), [](const Annotation& a, const Annotation& b) { return a.front() < b.front(); });
  return result;
}

// "dir/S001C001P001R001A006.pkl" -> "S001C001P001R001A006"; "humanact12poses.pkl:12" -> "humanact12poses_12".
std::string frame_dir_base(const std::string& source) {
  if (source.empty()) return {};
  const auto colon = source.rfind(':');
  const bool has_entry = colon != std::string::npos && colon + 1 < source.size() &&
                         source.find('/', colon) == std::string::npos;
  const std::string file = has_entry ? source.substr(0, colon) : source;
  std::string base = std::filesystem::path(file).stem().string();
  if (has_entry) base += "_" + source.substr(colon + 1);
  return base;
}

std::string split_name(const std::string& split, const std::string& prefix) {
  if (split.empty() || split == "train") return prefix + "_train";
  if (split == "test") return prefix + "_val";
  return prefix + "_" + split;
}

}  // namespace

void export_pyskl(const SkeletonDataset& dataset, const std::filesystem::path& output, const std::string& split_prefix) {
  dataset.validate(output.string());
  const auto annotations = group_bodies(dataset);
  const int joints = dataset.num_joints();
  const std::size_t frame_values = static_cast<std::size_t>(joints) * 3;

  std::vector<float> keypoint;
  std::vector<std::string> frame_dirs, splits, split_names;
  std::vector<std::int64_t> labels, total_frames, bodies;
  std::set<std::string> used;
  for (const auto& clips : annotations) {
    const auto first = dataset.info(clips.front());
    std::int64_t frames = 0;
    for (const auto clip : clips) {
      const auto info = dataset.info(clip);
      if (dataset.labels[clip] != dataset.labels[clips.front()] || info.split != first.split) {
        throw core::UserError(fmt::format(
            "{}: clips {} and {} are bodies of one recording ({}) but have different {}", output.string(),
            clips.front(), clip, first.source,
            dataset.labels[clip] != dataset.labels[clips.front()] ? "labels" : "splits"));
      }
      frames = std::max(frames, dataset.frames(clip));
    }
    for (const auto clip : clips) {  // (M, T, V, C): body-major; a shorter body is padded with zeros
      const float* data = dataset.clip_data(clip);
      keypoint.insert(keypoint.end(), data, data + dataset.frames(clip) * static_cast<std::int64_t>(frame_values));
      keypoint.resize(keypoint.size() + static_cast<std::size_t>(frames - dataset.frames(clip)) * frame_values, 0.0f);
    }

    std::string base = frame_dir_base(first.source);
    if (base.empty()) base = fmt::format("clip{}", clips.front());
    std::string frame_dir = base;
    for (int attempt = 0; used.count(frame_dir) != 0; ++attempt) {
      frame_dir = attempt == 0 ? fmt::format("{}_{}", base, clips.front())
                               : fmt::format("{}_{}_{}", base, clips.front(), attempt);
    }
    used.insert(frame_dir);

    frame_dirs.push_back(frame_dir);
    labels.push_back(dataset.labels[clips.front()]);
    total_frames.push_back(frames);
    bodies.push_back(static_cast<std::int64_t>(clips.size()));
    splits.push_back(split_name(first.split, split_prefix));
    if (std::find(split_names.begin(), split_names.end(), splits.back()) == split_names.end()) {
      split_names.push_back(splits.back());
    }
  }

  TemporaryDirectory scratch("skelaug-pyskl-");
  const auto raw_file = scratch.path() / "raw.npz";
  const auto count = static_cast<std::int64_t>(annotations.size());
  const auto rows = static_cast<std::int64_t>(keypoint.size() / frame_values);
  write_npz(raw_file, {{"keypoint", NpyArray::from_float32({rows, joints, 3}, keypoint)},
                       {"frame_dir", NpyArray::from_strings({count}, frame_dirs)},
                       {"label", NpyArray::from_int64({count}, labels)},
                       {"total_frames", NpyArray::from_int64({count}, total_frames)},
                       {"bodies", NpyArray::from_int64({count}, bodies)},
                       {"split", NpyArray::from_strings({count}, splits)},
                       {"split_names", NpyArray::from_strings({static_cast<std::int64_t>(split_names.size())},
                                                              split_names)}});
  run_python_tool("pyskl_export.py", {raw_file.string(), output.string()});
}

}  // namespace skelaug::data
