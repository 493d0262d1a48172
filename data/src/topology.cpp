#include "skelaug/data/topology.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <mutex>

#include "skelaug/core/error.h"

namespace skelaug::data {
namespace {

// The built-ins' feet: every joint whose name says foot, ankle, toe or heel.
std::vector<int> feet_by_name(const std::vector<std::string>& names) {
  std::vector<int> feet;
  for (std::size_t j = 0; j < names.size(); ++j) {
    for (const char* part : {"foot", "ankle", "toe", "heel"}) {
      if (names[j].find(part) != std::string::npos) {
        feet.push_back(static_cast<int>(j));
        break;
      }
    }
  }
  return feet;
}

Topology make(std::string name, std::vector<std::string> joints, std::vector<int> parents) {
  Topology topology;
  topology.name = std::move(name);
  topology.joint_names = std::move(joints);
  topology.parents = std::move(parents);
  topology.mirror_pairs = left_right_name_pairs(topology.joint_names);
  topology.foot_joints = feet_by_name(topology.joint_names);
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

const std::map<std::string, Topology>& builtins() {
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

// Topologies registered while the process runs; entries are never removed, so references to them stay valid.
struct Registered {
  std::mutex mutex;
  std::map<std::string, std::unique_ptr<const Topology>> by_name;
};
Registered& registered() {
  static Registered instance;
  return instance;
}

}  // namespace

std::vector<std::pair<int, int>> left_right_name_pairs(const std::vector<std::string>& names) {
  const auto is_word_character = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  std::vector<std::pair<int, int>> pairs;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto& name = names[i];
    for (auto at = name.find("left"); at != std::string::npos; at = name.find("left", at + 1)) {
      // "left" as a word of its own ("wave_left", "left hand"), not inside one ("cleft").
      const bool starts_word = at == 0 || !is_word_character(name[at - 1]);
      const bool ends_word = at + 4 == name.size() || !is_word_character(name[at + 4]);
      if (!starts_word || !ends_word) continue;
      const auto twin = std::find(names.begin(), names.end(), name.substr(0, at) + "right" + name.substr(at + 4));
      if (twin == names.end()) continue;
      pairs.emplace_back(static_cast<int>(i), static_cast<int>(twin - names.begin()));
      break;
    }
  }
  return pairs;
}

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

bool Topology::operator==(const Topology& other) const {
  return name == other.name && joint_names == other.joint_names && parents == other.parents &&
         mirror_pairs == other.mirror_pairs && foot_joints == other.foot_joints && groups == other.groups &&
         up_axis == other.up_axis;
}

void validate_topology(const Topology& topology, const std::string& where) {
  const auto fail = [&](const std::string& what) { throw core::UserError(fmt::format("{}: {}", where, what)); };
  const auto joint = [&](int j) { return fmt::format("joint '{}'", topology.joint_names[static_cast<std::size_t>(j)]); };
  const int count = topology.num_joints();
  if (topology.name.empty()) fail("the topology has no name");
  if (count == 0) fail("the topology has no joints");
  if (static_cast<int>(topology.parents.size()) != count) {
    fail(fmt::format("{} joint names but {} parents", count, topology.parents.size()));
  }
  std::map<std::string, int> seen;
  for (int j = 0; j < count; ++j) {
    const auto& name = topology.joint_names[static_cast<std::size_t>(j)];
    if (name.empty()) fail(fmt::format("joint {} has no name", j));
    if (!seen.emplace(name, j).second) fail(fmt::format("{}: the name is used twice", joint(j)));
  }
  const auto in_range = [&](int j) { return j >= 0 && j < count; };
  if (topology.parents[0] != -1) fail(fmt::format("{}: the root (the first joint) has a parent", joint(0)));
  std::vector<std::vector<int>> children(static_cast<std::size_t>(count));
  for (int j = 1; j < count; ++j) {
    const int parent = topology.parents[static_cast<std::size_t>(j)];
    if (parent == -1) fail(fmt::format("{}: a second root (only {} has no parent)", joint(j), joint(0)));
    if (!in_range(parent)) fail(fmt::format("{}: parent {} is not a joint", joint(j), parent));
    if (parent == j) fail(fmt::format("{}: is its own parent", joint(j)));
    children[static_cast<std::size_t>(parent)].push_back(j);
  }
  std::vector<bool> reached(static_cast<std::size_t>(count), false);
  std::vector<int> stack{0};
  while (!stack.empty()) {
    const int j = stack.back();
    stack.pop_back();
    reached[static_cast<std::size_t>(j)] = true;
    for (const int child : children[static_cast<std::size_t>(j)]) stack.push_back(child);
  }
  for (int j = 0; j < count; ++j) {
    if (!reached[static_cast<std::size_t>(j)]) fail(fmt::format("{}: its parents form a cycle that never reaches the root", joint(j)));
  }
  std::vector<int> paired(static_cast<std::size_t>(count), 0);
  for (const auto& [left, right] : topology.mirror_pairs) {
    if (!in_range(left) || !in_range(right)) fail(fmt::format("mirror pair ({}, {}) names no joint", left, right));
    if (left == right) fail(fmt::format("{}: is paired with itself", joint(left)));
    for (const int j : {left, right}) {
      if (++paired[static_cast<std::size_t>(j)] > 1) fail(fmt::format("{}: is in two mirror pairs", joint(j)));
    }
  }
  std::vector<bool> foot(static_cast<std::size_t>(count), false);
  for (const int j : topology.foot_joints) {
    if (!in_range(j)) fail(fmt::format("foot joint {} is not a joint", j));
    if (foot[static_cast<std::size_t>(j)]) fail(fmt::format("{}: is listed as a foot twice", joint(j)));
    foot[static_cast<std::size_t>(j)] = true;
  }
  for (const auto& [group, members] : topology.groups) {
    if (group.empty()) fail("a joint group has no name");
    for (const int j : members) {
      if (!in_range(j)) fail(fmt::format("group '{}': {} is not a joint", group, j));
    }
  }
  if (topology.up_axis < 0 || topology.up_axis > 2) fail(fmt::format("up axis {} is not 0 (x), 1 (y) or 2 (z)", topology.up_axis));
}

const Topology& topology(const std::string& name) {
  if (const auto it = builtins().find(name); it != builtins().end()) return it->second;
  {
    auto& custom = registered();
    const std::lock_guard<std::mutex> lock(custom.mutex);
    if (const auto it = custom.by_name.find(name); it != custom.by_name.end()) return *it->second;
  }
  throw core::UserError(fmt::format("unknown topology '{}' (known: {}; or give a topology file, NAME.yaml)", name,
                                    fmt::join(topology_names(), ", ")));
}

std::vector<std::string> topology_names() {
  std::vector<std::string> names;
  for (const auto& [name, topology] : builtins()) names.push_back(name);
  auto& custom = registered();
  const std::lock_guard<std::mutex> lock(custom.mutex);
  for (const auto& [name, topology] : custom.by_name) names.push_back(name);
  return names;
}

bool is_builtin_topology(const std::string& name) { return builtins().count(name) > 0; }

const Topology& register_topology(const Topology& definition, const std::string& where) {
  validate_topology(definition, where);
  const auto differs = [&] {
    return core::UserError(fmt::format("{}: topology '{}' is defined differently from the {} one of that name already "
                                       "in use (rename one of them)",
                                       where, definition.name, is_builtin_topology(definition.name) ? "built-in" : "other"));
  };
  if (const auto it = builtins().find(definition.name); it != builtins().end()) {
    if (it->second != definition) throw differs();
    return it->second;
  }
  auto& custom = registered();
  const std::lock_guard<std::mutex> lock(custom.mutex);
  auto& slot = custom.by_name[definition.name];
  if (!slot) {
    slot = std::make_unique<const Topology>(definition);
  } else if (*slot != definition) {
    throw differs();
  }
  return *slot;
}

}  // namespace skelaug::data
