#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "skelaug/data/topology.h"

namespace skelaug::data {

// A topology file (YAML), for skeletons beyond the built-ins:
//
//   name: msr20
//   up: y                     # the recordings' vertical axis (x, y or z); importers turn clips y-up
//   joints:                   # in the order the recordings store them
//     - {name: hip_centre}    # the root: the one joint without a parent (or name it with `root:`)
//     - {name: spine, parent: hip_centre}
//     ...
//   mirror: [[shoulder_left, shoulder_right], ...]   # optional: left/right pairs a mirror augmentation swaps
//   feet: [ankle_left, foot_left, ...]               # optional: for the contact and skating statistics
//   groups: {left_arm: [shoulder_left, elbow_left]}  # optional, named joint groups
//
// Instead of a parent per joint, `joints` may be a list of names with `bones: [[child, parent], ...]`.
// skelaug keeps the root first: `listed_order[i]` is the position in the file's list of the topology's joint i (the
// identity when the root is listed first), which importers use to read recordings stored in the file's order.
struct TopologyFile {
  Topology topology;
  std::vector<int> listed_order;
};

// Reads and checks `file`: core::UserError "FILE:LINE: joint 'NAME': ..." for a name used twice, an unknown parent,
// no root or two roots, a cycle, a joint paired with itself or in two pairs, an unknown foot or group member, or an
// unknown up axis.
TopologyFile read_topology_file(const std::filesystem::path& file);

// The topology as a topology file that read_topology_file reads back to the same definition.
std::string topology_yaml(const Topology& topology);

// A built-in or registered topology's name, or a topology file (a path ending in .yaml or .yml), which is read and
// registered (register_topology) so that datasets made from it carry its name and definition.
const Topology& topology_from(const std::string& name_or_file);
bool names_topology_file(const std::string& name_or_file);

}  // namespace skelaug::data
