#pragma once

#include <string>
#include <utility>
#include <vector>

namespace skelaug::data {

// A named skeleton: joint names, the kinematic tree (parents, root first with parent -1), the left/right joint pairs
// a mirror augmentation swaps, the foot joints the contact and skating statistics watch, optional named joint groups,
// and the vertical axis of the recordings it came from. Clips in skelaug datasets are always y-up; `up_axis` tells
// importers how to turn a recording's axes into that.
struct Topology {
  std::string name;
  std::vector<std::string> joint_names;
  std::vector<int> parents;                       // parents[0] == -1 (the root); every other joint's parent
  std::vector<std::pair<int, int>> mirror_pairs;  // (left, right)
  std::vector<int> foot_joints;                   // empty: foot statistics are unavailable
  std::vector<std::pair<std::string, std::vector<int>>> groups;  // e.g. ("left_arm", {...}), in file order
  int up_axis = 1;                                // 0 x, 1 y, 2 z: the recordings' vertical

  int num_joints() const { return static_cast<int>(joint_names.size()); }
  // (child, parent) for every non-root joint, in joint order.
  std::vector<std::pair<int, int>> edges() const;
  // Index of `joint`; -1 if absent.
  int index_of(const std::string& joint) const;
  // For each joint, the joint it becomes under mirroring (itself if unpaired).
  std::vector<int> mirror_permutation() const;

  bool operator==(const Topology& other) const;
  bool operator!=(const Topology& other) const { return !(*this == other); }
};

// The structural checks every topology passes (core::UserError "<where>: joint '<name>': ..." otherwise): a name, at
// least one joint, unique non-empty joint names, the root first and alone without a parent, parents in range, every
// joint reachable from the root (no cycle), mirror pairs of two distinct joints with no joint in two pairs, feet and
// groups in range, up_axis in 0..2. Topology files check the same with line numbers as they read (topology_file.h).
void validate_topology(const Topology& topology, const std::string& where);

// Pairs (i, j) of names that differ only in the word "left" in names[i] for "right" in names[j] ("left_hand" and
// "right_hand", "wave_left" and "wave_right"): the built-ins' mirror joints, and the classes a mirrored clip swaps.
std::vector<std::pair<int, int>> left_right_name_pairs(const std::vector<std::string>& names);

// smpl24 (HumanAct12's SMPL joints), hml22 (HumanML3D's first 22 SMPL joints), ntu25 (Kinect v2),
// vibe18 (NTU-VIBE's 18 kept VIBE joints), and any topology registered in this process (from a topology file or a
// dataset file that carries its definition). Throws core::UserError naming the known ones for any other name.
const Topology& topology(const std::string& name);
std::vector<std::string> topology_names();
bool is_builtin_topology(const std::string& name);

// Makes `definition` known by its name for the rest of the process (after validate_topology). Registering the same
// definition again is a no-op; another definition under a name already known (a built-in's included) is a
// core::UserError naming `where`, since a name must mean one skeleton everywhere in a run.
const Topology& register_topology(const Topology& definition, const std::string& where);

}  // namespace skelaug::data
