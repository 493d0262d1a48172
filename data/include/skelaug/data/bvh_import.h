#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "skelaug/data/bvh_parser.h"
#include "skelaug/data/skeleton_dataset.h"

namespace skelaug::data {

// Import of BVH files into a skelaug dataset: joint maps onto a topology, scaling, resampling.

// Which BVH joints each topology joint is taken from, in topology joint order: one joint name, or several whose
// positions are averaged (for a joint the BVH skeleton has no single counterpart of, such as SMPL's spine3 or collars).
struct BvhJointMap {
  std::string topology;
  std::vector<std::vector<std::string>> sources;  // one list per topology joint
  std::string where;                              // "builtin" or the map file, for messages
};

// A YAML mapping from topology joint name to a BVH joint name or a list of them, e.g. `left_knee: LeftKnee` or
// `spine3: [Chest2, Neck]`. Every topology joint must be mapped. Throws core::UserError naming the file and line.
BvhJointMap read_bvh_joint_map(const std::filesystem::path& file, const std::string& topology);
// The built-in map from the CMU mocap skeleton (Hips, LeftHip, LeftKnee, ..., as in the CMU BVH conversions) to smpl24
// or hml22. Throws core::UserError for a topology it has no map for.
BvhJointMap builtin_bvh_joint_map(const std::string& topology);
// The map as YAML text (topology joint names as keys), the format read_bvh_joint_map reads.
std::string bvh_joint_map_yaml(const BvhJointMap& map);

// Positions of the topology's joints: frames x topology joints x 3, from frames x BVH joints x 3 world positions.
// Throws core::UserError "<where>: joint map <map.where>: ..." for a BVH joint the skeleton lacks.
std::vector<double> map_bvh_joints(const std::vector<double>& world, std::int64_t frames, const BvhSkeleton& skeleton,
                                  const BvhJointMap& map, const std::string& where);

struct BvhImportOptions {
  std::string topology;   // required: a topology() name
  std::string joint_map;  // required: a YAML file, or "builtin"
  double fps = 0;         // 0: keep the files' rate (all files must share it)
  double scale = 1;       // file units to metres (CMU: 0.0254 / 0.45 = 0.056444)
  std::string label;      // one class for every file, or ...
  std::string label_map;  // ... a YAML mapping from file stem to class name (exactly one of the two)
};

// One clip per file (ClipInfo.source = the file name), class names sorted and unique. Throws core::UserError naming
// the file (and line) for anything wrong in a file or an option.
SkeletonDataset import_bvh_files(const std::vector<std::filesystem::path>& files, const BvhImportOptions& options);

}  // namespace skelaug::data
