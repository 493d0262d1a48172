#pragma once

#include <string>
#include <utility>
#include <vector>

namespace skelaug::data {

// A named skeleton: joint names, the kinematic tree (parents, root first with parent -1), the left/right joint pairs
// a mirror augmentation swaps, and the bone list a graph network builds its adjacency from.
struct Topology {
  std::string name;
  std::vector<std::string> joint_names;
  std::vector<int> parents;                       // parents[j] < j for every non-root joint; parents[0] == -1
  std::vector<std::pair<int, int>> mirror_pairs;  // (left, right)

  int num_joints() const { return static_cast<int>(joint_names.size()); }
  // (child, parent) for every non-root joint, in joint order.
  std::vector<std::pair<int, int>> edges() const;
  // Index of `joint`; -1 if absent.
  int index_of(const std::string& joint) const;
  // For each joint, the joint it becomes under mirroring (itself if unpaired).
  std::vector<int> mirror_permutation() const;
};

// smpl24 (HumanAct12's SMPL joints), hml22 (HumanML3D's first 22 SMPL joints), ntu25 (Kinect v2),
// vibe18 (NTU-VIBE's 18 kept VIBE joints). Throws core::UserError naming the known ones for any other name.
const Topology& topology(const std::string& name);
std::vector<std::string> topology_names();

}  // namespace skelaug::data
