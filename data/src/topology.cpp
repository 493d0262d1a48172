#include "skelaug/data/topology.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "skelaug/core/error.h"

namespace skelaug::data {
namespace {

// Mirror pairs by name: every joint named "left_*" pairs with its "right_*" twin.
std::vector<std::pair<int, int>> left_right_pairs(const std::vector<std::string>& names) {
  std::vector<std::pair<int, int>> pairs;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i].rfind("left_", 0) != 0) continue;
    const auto twin = "right_" + names[i].substr(5);
    const auto it = std::find(names.begin(), names.end(), twin);
    if (it != names.end()) pairs.emplace_back(static_cast<int>(i), static_cast<int>(it - names.begin()));
  }
  return pairs;
}

Topology make(std::string name, std::vector<std::string> joints, std::vector<int> parents) {
  Topology topology{std::move(name), std::move(joints), std::move(parents), {}};
  topology.mirror_pairs = left_right_pairs(topology.joint_names);
  return topology;
}

// SMPL's 24 joints; HumanML3D keeps the first 22 (no hands) with the same tree.
const std::vector<std::string> kSmplJoints = {
    "pelvis",        "left_hip",       "right_hip",      "spine1",     "left_knee",   "right_knee",
    "spine2",        "left_ankle",     "right_ankle",    "spine3",     "left_foot",   "right_foot",
    "neck",          "left_collar",    "right_collar",   "head",       "left_shoulder", "right_shoulder",
    "left_elbow",    "right_elbow",    "left_wrist",     "right_wrist", "left_hand",  "right_hand"};
const std::vector<int> kSmplParents = {-1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19, 20, 21};

// Kinect v2 as NTU RGB+D orders it (1-based in the dataset's documentation), rooted at the spine base.
const std::vector<std::string> kNtuJoints = {
    "spine_base",    "spine_mid",     "neck",           "head",           "left_shoulder", "left_elbow",
    "left_wrist",    "left_hand",     "right_shoulder", "right_elbow",    "right_wrist",   "right_hand",
    "left_hip",      "left_knee",     "left_ankle",     "left_foot",      "right_hip",     "right_knee",
    "right_ankle",   "right_foot",    "spine_shoulder", "left_hand_tip",  "left_thumb",    "right_hand_tip",
    "right_thumb"};
const std::vector<int> kNtuParents = {-1, 0, 20, 2, 20, 4, 5, 6, 20, 8, 9, 10, 0,
                                      12, 13, 14, 0, 16, 17, 18, 1, 7, 7, 11, 11};

// NTU-VIBE: VIBE's 49 joints reduced to OpenPose 0-14, left heel (21), right heel (24) and the head top (38), with
// the nose (0) and mid-hip (8) swapped so that the root comes first.
const std::vector<std::string> kVibeJoints = {
    "mid_hip",   "neck",       "right_shoulder", "right_elbow", "right_wrist", "left_shoulder",
    "left_elbow", "left_wrist", "nose",           "right_hip",   "right_knee",  "right_ankle",
    "left_hip",  "left_knee",  "left_ankle",     "left_heel",   "right_heel",  "head_top"};
const std::vector<int> kVibeParents = {-1, 0, 1, 2, 3, 1, 5, 6, 1, 0, 9, 10, 0, 12, 13, 14, 11, 8};

const std::map<std::string, Topology>& registry() {
  static const std::map<std::string, Topology> topologies = [] {
    std::map<std::string, Topology> all;
    all.emplace("smpl24", make("smpl24", kSmplJoints, kSmplParents));
    all.emplace("hml22", make("hml22", {kSmplJoints.begin(), kSmplJoints.begin() + 22},
                              {kSmplParents.begin(), kSmplParents.begin() + 22}));
    all.emplace("ntu25", make("ntu25", kNtuJoints, kNtuParents));
    all.emplace("vibe18", make("vibe18", kVibeJoints, kVibeParents));
    return all;
  }();
  return topologies;
}

}  // namespace

std::vector<std::pair<int, int>> Topology::edges() const {
  std::vector<std::pair<int, int>> result;
  for (int j = 0; j < num_joints(); ++j) {
    if (parents[static_cast<std::size_t>(j)] >= 0) result.emplace_back(j, parents[static_cast<std::size_t>(j)]);
  }
  return result;
}

int Topology::index_of(const std::string& joint) const {
  const auto it = std::find(joint_names.begin(), joint_names.end(), joint);
  return it == joint_names.end() ? -1 : static_cast<int>(it - joint_names.begin());
}

std::vector<int> Topology::mirror_permutation() const {
  std::vector<int> permutation(joint_names.size());
  for (std::size_t j = 0; j < permutation.size(); ++j) permutation[j] = static_cast<int>(j);
  for (const auto& [left, right] : mirror_pairs) {
    permutation[static_cast<std::size_t>(left)] = right;
    permutation[static_cast<std::size_t>(right)] = left;
  }
  return permutation;
}

const Topology& topology(const std::string& name) {
  const auto& all = registry();
  const auto it = all.find(name);
  if (it == all.end()) {
    throw core::UserError(fmt::format("unknown topology '{}' (known: {})", name, fmt::join(topology_names(), ", ")));
  }
  return it->second;
}

std::vector<std::string> topology_names() {
  std::vector<std::string> names;
  for (const auto& [name, topology] : registry()) names.push_back(name);
  return names;
}

}  // namespace skelaug::data
