// BVH files -> a skelaug dataset: forward kinematics, resampling, the joint map onto a named topology, class labels.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "skelaug/core/error.h"
#include "skelaug/data/bvh_import.h"
#include "skelaug/data/bvh_kinematics.h"
#include "skelaug/data/frame_limits.h"
#include "skelaug/data/topology.h"
#include "yaml_file.h"

namespace skelaug::data {
namespace {

// The built-in CMU -> SMPL joint correspondence. The CMU conversions place a joint where its bone *starts*
// (LeftHip = hip joint centre, LeftToe = ball of the foot), like SMPL. Where SMPL has a joint the CMU skeleton lacks,
// a mean of neighbours stands in: CMU has two spine joints above the pelvis (Chest, Chest2) against SMPL's three, so
// spine3 is taken half way between Chest2 and the neck; the CMU collar joints sit on the spine (OFFSET 0 from Chest2),
// so a collar is taken half way between the spine and the shoulder, as SMPL's is; SMPL's hand joint sits about at the
// knuckles, which the end of the CMU finger segment (LFingers_End) is closest to. Both skeletons are Y up, facing +Z,
// with the subject's left on +X, so no axis change is needed.
const std::vector<std::pair<std::string, std::vector<std::string>>>& cmu_to_smpl() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> map = {
      {"pelvis", {"Hips"}},
      {"left_hip", {"LeftHip"}},
      {"right_hip", {"RightHip"}},
      {"spine1", {"Chest"}},
      {"left_knee", {"LeftKnee"}},
      {"right_knee", {"RightKnee"}},
      {"spine2", {"Chest2"}},
      {"left_ankle", {"LeftAnkle"}},
      {"right_ankle", {"RightAnkle"}},
      {"spine3", {"Chest2", "Neck"}},
      {"left_foot", {"LeftToe"}},
      {"right_foot", {"RightToe"}},
      {"neck", {"Neck"}},
      {"left_collar", {"LeftCollar", "LeftShoulder"}},
      {"right_collar", {"RightCollar", "RightShoulder"}},
      {"head", {"Head"}},
      {"left_shoulder", {"LeftShoulder"}},
      {"right_shoulder", {"RightShoulder"}},
      {"left_elbow", {"LeftElbow"}},
      {"right_elbow", {"RightElbow"}},
      {"left_wrist", {"LeftWrist"}},
      {"right_wrist", {"RightWrist"}},
      {"left_hand", {"LFingers_End"}},
      {"right_hand", {"RFingers_End"}},
  };
  return map;
}

// Class name per file stem.
std::map<std::string, std::string> read_label_map(const std::filesystem::path& file) {
  const YAML::Node root = load_yaml_mapping(file, "label map");
  std::map<std::string, std::string> labels;
  for (const auto& entry : root) {
    const std::string stem = scalar_text(entry.first, file, "a label map key (a file stem)");
    const std::string label = scalar_text(entry.second, file, fmt::format("the class of '{}'", stem));
    if (!labels.emplace(stem, label).second) {
      throw core::UserError(fmt::format("{}: '{}' is listed twice", at_line(file, entry.first.Mark()), stem));
    }
  }
  return labels;
}

BvhJointMap load_joint_map(const std::string& joint_map, const std::string& topology_name) {
  if (joint_map == "builtin") return builtin_bvh_joint_map(topology_name);
  return read_bvh_joint_map(joint_map, topology_name);
}

void check_options(const BvhImportOptions& options) {
  if (options.topology.empty()) {
    throw core::UserError(fmt::format(
        "BVH import needs --topology (one of {}) and --joint-map (a YAML map from its joint names to the BVH's, or "
        "'builtin' for CMU skeletons to smpl24/hml22): skelaug datasets are stored on a named topology",
        fmt::join(topology_names(), ", ")));
  }
  topology(options.topology);  // throws for an unknown name
  if (options.joint_map.empty()) {
    throw core::UserError(fmt::format("BVH import needs --joint-map: a YAML map from {} joint names to BVH joint "
                                      "names, or 'builtin' for CMU skeletons",
                                      options.topology));
  }
  if (options.label.empty() == options.label_map.empty()) {
    throw core::UserError("BVH import needs exactly one of --label NAME (one class for every file) and --label-map "
                          "MAP.yaml (file stem -> class name)");
  }
  if (!std::isfinite(options.scale) || options.scale <= 0) {
    throw core::UserError(fmt::format("--scale must be a positive number, not {}", options.scale));
  }
  if (!(options.fps == 0 || (options.fps >= kMinFps && options.fps <= kMaxFps))) {
    throw core::UserError(fmt::format("--fps must be between {} and {} (or 0: the files' own rate), not {}", kMinFps,
                                      kMaxFps, options.fps));
  }
}

}  // namespace

BvhJointMap builtin_bvh_joint_map(const std::string& topology_name) {
  const Topology& target = topology(topology_name);
  BvhJointMap map{topology_name, {}, "builtin"};
  for (const auto& joint : target.joint_names) {
    const auto& table = cmu_to_smpl();
    const auto found = std::find_if(table.begin(), table.end(), [&joint](const auto& e) { return e.first == joint; });
    if (found == table.end()) {
      throw core::UserError(fmt::format("there is no built-in BVH joint map to topology '{}' (built-in: CMU skeletons "
                                        "to smpl24, hml22); give --joint-map MAP.yaml",
                                        topology_name));
    }
    map.sources.push_back(found->second);
  }
  return map;
}

BvhJointMap read_bvh_joint_map(const std::filesystem::path& file, const std::string& topology_name) {
  const Topology& target = topology(topology_name);
  const YAML::Node root = load_yaml_mapping(file, "joint map");
  BvhJointMap map{topology_name, std::vector<std::vector<std::string>>(target.joint_names.size()), file.string()};
  for (const auto& entry : root) {
    const std::string joint = scalar_text(entry.first, file, "a joint map key (a topology joint name)");
    const int index = target.index_of(joint);
    if (index < 0) {
      throw core::UserError(fmt::format("{}: '{}' is not a joint of topology {} (its joints: {})",
                                        at_line(file, entry.first.Mark()), joint, topology_name,
                                        fmt::join(target.joint_names, ", ")));
    }
    auto& sources = map.sources[static_cast<std::size_t>(index)];
    if (!sources.empty()) {
      throw core::UserError(fmt::format("{}: '{}' is mapped twice", at_line(file, entry.first.Mark()), joint));
    }
    const std::string what = fmt::format("the BVH joint of '{}'", joint);
    if (entry.second.IsSequence() && entry.second.size() > 0) {
      for (const auto& name : entry.second) sources.push_back(scalar_text(name, file, what));
    } else {
      sources.push_back(scalar_text(entry.second, file, what + " (a name or a list of names)"));
    }
  }
  std::vector<std::string> missing;
  for (std::size_t j = 0; j < map.sources.size(); ++j) {
    if (map.sources[j].empty()) missing.push_back(target.joint_names[j]);
  }
  if (!missing.empty()) {
    throw core::UserError(fmt::format("{}: joint map to {} lacks {}", file.string(), topology_name,
                                      fmt::join(missing, ", ")));
  }
  return map;
}

std::string bvh_joint_map_yaml(const BvhJointMap& map) {
  const Topology& target = topology(map.topology);
  std::string text;
  for (std::size_t j = 0; j < map.sources.size(); ++j) {
    const auto& sources = map.sources[j];
    text += fmt::format("{}: {}\n", target.joint_names[j],
                        sources.size() == 1 ? sources[0] : fmt::format("[{}]", fmt::join(sources, ", ")));
  }
  return text;
}

std::vector<double> map_bvh_joints(const std::vector<double>& world, std::int64_t frames, const BvhSkeleton& skeleton,
                                   const BvhJointMap& map, const std::string& where) {
  // Resolve names once: source indices per topology joint.
  std::vector<std::vector<std::size_t>> indices(map.sources.size());
  for (std::size_t j = 0; j < map.sources.size(); ++j) {
    for (const auto& name : map.sources[j]) {
      const int index = skeleton.find(name, where);
      if (index < 0) {
        throw core::UserError(fmt::format("{}: joint map {} needs BVH joint '{}', which this file's hierarchy lacks",
                                          where, map.where, name));
      }
      indices[j].push_back(static_cast<std::size_t>(index));
    }
  }
  const std::size_t bvh_joints = skeleton.joints.size();
  const std::size_t out_joints = indices.size();
  std::vector<double> out(static_cast<std::size_t>(frames) * out_joints * 3, 0.0);
  for (std::int64_t f = 0; f < frames; ++f) {
    const double* in = world.data() + static_cast<std::size_t>(f) * bvh_joints * 3;
    double* o = out.data() + static_cast<std::size_t>(f) * out_joints * 3;
    for (std::size_t j = 0; j < out_joints; ++j) {
      const double weight = 1.0 / static_cast<double>(indices[j].size());
      for (const auto source : indices[j]) {
        for (int a = 0; a < 3; ++a) o[j * 3 + a] += weight * in[source * 3 + a];
      }
    }
  }
  return out;
}

SkeletonDataset import_bvh_files(const std::vector<std::filesystem::path>& files, const BvhImportOptions& options) {
  check_options(options);
  const BvhJointMap joint_map = load_joint_map(options.joint_map, options.topology);
  std::map<std::string, std::string> label_of_stem;
  if (!options.label_map.empty()) label_of_stem = read_label_map(options.label_map);

  struct Clip {
    std::vector<float> joints;
    std::int64_t frames;
    std::string label;
    std::string source;
  };
  std::vector<Clip> clips;
  double dataset_fps = options.fps;
  std::string rate_source;  // the first file, when the files' own rate is kept
  const auto out_joints = static_cast<int>(joint_map.sources.size());
  for (const auto& file : files) {
    const std::string where = file.string();
    std::string label = options.label;
    if (!options.label_map.empty()) {
      const auto found = label_of_stem.find(file.stem().string());
      if (found == label_of_stem.end()) {
        throw core::UserError(fmt::format("{}: the label map {} has no entry for '{}'", where, options.label_map,
                                          file.stem().string()));
      }
      label = found->second;
    }
    const BvhMotion motion = read_bvh(file);
    const double file_fps = motion.fps();
    if (options.fps == 0) {
      if (rate_source.empty()) {
        dataset_fps = file_fps;
        rate_source = where;
      } else if (std::abs(file_fps - dataset_fps) > 1e-6 * dataset_fps) {
        throw core::UserError(fmt::format("{}: {} fps, but {} has {} fps: a dataset has one rate, choose it with --fps",
                                          where, file_fps, rate_source, dataset_fps));
      }
    }
    std::vector<double> positions =
        map_bvh_joints(bvh_world_positions(motion, options.scale), motion.frames, motion.skeleton, joint_map, where);
    std::int64_t frames = motion.frames;
    if (dataset_fps != file_fps) {
      if (resampled_frame_count(motion.frames, file_fps, dataset_fps) > kMaxClipFrames) {
        throw core::UserError(fmt::format("{}: {} frames at {} fps would become {} frames at {} fps, more than the {} "
                                          "a clip may have",
                                          where, motion.frames, file_fps,
                                          resampled_frame_count(motion.frames, file_fps, dataset_fps), dataset_fps,
                                          kMaxClipFrames));
      }
      positions = resample_positions(positions, motion.frames, out_joints, file_fps, dataset_fps, &frames);
    }
    Clip clip{std::vector<float>(positions.size()), frames, label, file.filename().string()};
    for (std::size_t i = 0; i < positions.size(); ++i) {
      clip.joints[i] = static_cast<float>(positions[i]);
      if (!std::isfinite(clip.joints[i])) {
        throw core::UserError(fmt::format("{}: frame {}: a joint position is too large for float32 (check --scale "
                                          "and the file's values)",
                                          where, i / (static_cast<std::size_t>(out_joints) * 3) + 1));
      }
    }
    clips.push_back(std::move(clip));
  }

  SkeletonDataset dataset;
  dataset.topology = options.topology;
  dataset.fps = dataset_fps;
  for (const auto& clip : clips) dataset.class_names.push_back(clip.label);
  std::sort(dataset.class_names.begin(), dataset.class_names.end());
  dataset.class_names.erase(std::unique(dataset.class_names.begin(), dataset.class_names.end()),
                            dataset.class_names.end());
  for (const auto& clip : clips) {
    const auto label = std::lower_bound(dataset.class_names.begin(), dataset.class_names.end(), clip.label) -
                       dataset.class_names.begin();
    ClipInfo info;
    info.source = clip.source;
    dataset.add_clip(clip.joints.data(), clip.frames, label, info);
  }
  return dataset;
}

}  // namespace skelaug::data
