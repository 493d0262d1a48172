#include "skelaug/data/topology_file.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <regex>
#include <set>

#include "skelaug/core/error.h"
#include "yaml_file.h"

namespace skelaug::data {
namespace {

constexpr const char* kAxes = "xyz";

// A joint as the file lists it.
struct Listed {
  std::string name;
  YAML::Mark mark;
  std::optional<int> parent;  // listing index
};

class TopologyReader {
 public:
  explicit TopologyReader(std::filesystem::path file) : file_(std::move(file)) {}

  TopologyFile read() {
    const auto root = load_yaml_mapping(file_, "topology file");
    static const std::set<std::string> kKeys = {"name", "up", "root", "joints", "bones", "mirror", "feet", "groups"};
    for (const auto& entry : root) {
      const auto key = scalar_text(entry.first, file_, "a key");
      if (kKeys.count(key) == 0) {
        fail(entry.first.Mark(), fmt::format("unknown key '{}' (known: {})", key, fmt::join(kKeys, ", ")));
      }
    }
    TopologyFile result;
    auto& topology = result.topology;
    if (!root["name"]) fail(YAML::Mark::null_mark(), "no 'name'");
    topology.name = scalar_text(root["name"], file_, "name");
    if (const auto up = root["up"]) {
      const auto axis = scalar_text(up, file_, "up");
      const auto* found = axis.size() == 1 ? std::strchr(kAxes, axis[0]) : nullptr;
      if (found == nullptr || axis[0] == '\0') fail(up.Mark(), fmt::format("up: '{}' is not x, y or z", axis));
      topology.up_axis = static_cast<int>(found - kAxes);
    }
    read_joints(root["joints"]);
    if (const auto bones = root["bones"]) read_bones(bones);
    const int root_joint = find_root(root["root"]);
    check_connected(root_joint);

    // Stored order: the root, then the others as listed.
    result.listed_order.push_back(root_joint);
    for (int j = 0; j < static_cast<int>(listed_.size()); ++j) {
      if (j != root_joint) result.listed_order.push_back(j);
    }
    std::vector<int> stored(listed_.size());
    for (std::size_t i = 0; i < result.listed_order.size(); ++i) {
      stored[static_cast<std::size_t>(result.listed_order[i])] = static_cast<int>(i);
    }
    for (const int j : result.listed_order) {
      const auto& joint = listed_[static_cast<std::size_t>(j)];
      topology.joint_names.push_back(joint.name);
      topology.parents.push_back(joint.parent ? stored[static_cast<std::size_t>(*joint.parent)] : -1);
    }
    const auto stored_index = [&](const YAML::Node& node, const std::string& what) {
      return stored[static_cast<std::size_t>(joint_named(node, what))];
    };

    if (const auto mirror = root["mirror"]) {
      std::map<int, YAML::Mark> paired;
      for (const auto& pair : sequence(mirror, "mirror")) {
        if (!pair.IsSequence() || pair.size() != 2) fail(pair.Mark(), "a mirror pair must be [left, right]");
        const int left = stored_index(pair[0], "a mirrored joint");
        const int right = stored_index(pair[1], "a mirrored joint");
        if (left == right) fail(pair.Mark(), fmt::format("joint '{}': is paired with itself", pair[0].Scalar()));
        for (const auto& side : {pair[0], pair[1]}) {
          const int j = stored_index(side, "a mirrored joint");
          if (!paired.emplace(j, side.Mark()).second) {
            fail(side.Mark(), fmt::format("joint '{}': is in two mirror pairs (the other on line {})", side.Scalar(),
                                          paired.at(j).line + 1));
          }
        }
        topology.mirror_pairs.emplace_back(left, right);
      }
    }
    if (const auto feet = root["feet"]) {
      for (const auto& foot : sequence(feet, "feet")) {
        const int j = stored_index(foot, "a foot");
        if (std::find(topology.foot_joints.begin(), topology.foot_joints.end(), j) != topology.foot_joints.end()) {
          fail(foot.Mark(), fmt::format("joint '{}': is listed as a foot twice", foot.Scalar()));
        }
        topology.foot_joints.push_back(j);
      }
    }
    if (const auto groups = root["groups"]) {
      if (!groups.IsMap()) fail(groups.Mark(), "groups must map each group's name to a list of joints");
      for (const auto& group : groups) {
        const auto name = scalar_text(group.first, file_, "a group name");
        std::vector<int> members;
        for (const auto& member : sequence(group.second, "group '" + name + "'")) {
          members.push_back(stored_index(member, "a member of group '" + name + "'"));
        }
        topology.groups.emplace_back(name, members);
      }
    }
    validate_topology(topology, file_.string());  // what the reader checked above, once more on the result
    return result;
  }

 private:
  [[noreturn]] void fail(const YAML::Mark& mark, const std::string& what) const {
    throw core::UserError(fmt::format("{}: {}", at_line(file_, mark), what));
  }

  YAML::Node sequence(const YAML::Node& node, const std::string& what) const {
    if (!node.IsSequence()) fail(node.Mark(), what + " must be a list");
    return node;
  }

  int joint_named(const YAML::Node& node, const std::string& what) const {
    const auto name = scalar_text(node, file_, what);
    const auto it = index_.find(name);
    if (it == index_.end()) fail(node.Mark(), fmt::format("joint '{}' ({}) is not among the joints", name, what));
    return it->second;
  }

  void read_joints(const YAML::Node& joints) {
    if (!joints) fail(YAML::Mark::null_mark(), "no 'joints'");
    for (const auto& entry : sequence(joints, "joints")) {
      Listed joint;
      joint.mark = entry.Mark();
      if (entry.IsMap()) {
        for (const auto& field : entry) {
          const auto key = scalar_text(field.first, file_, "a joint's key");
          if (key != "name" && key != "parent") fail(field.first.Mark(), fmt::format("unknown joint key '{}' (name, parent)", key));
        }
        if (!entry["name"]) fail(entry.Mark(), "a joint without a name");
        joint.name = scalar_text(entry["name"], file_, "a joint's name");
      } else {
        joint.name = scalar_text(entry, file_, "a joint");
      }
      if (!index_.emplace(joint.name, static_cast<int>(listed_.size())).second) {
        fail(joint.mark, fmt::format("joint '{}': the name is used twice (first on line {})", joint.name,
                                     listed_[static_cast<std::size_t>(index_.at(joint.name))].mark.line + 1));
      }
      listed_.push_back(joint);
    }
    if (listed_.empty()) fail(joints.Mark(), "no joints");
    // Parents by name, now that every name is known.
    std::size_t j = 0;
    for (const auto& entry : joints) {
      if (entry.IsMap() && entry["parent"] && !entry["parent"].IsNull()) {
        listed_[j].parent = joint_named(entry["parent"], "the parent of '" + listed_[j].name + "'");
        if (*listed_[j].parent == static_cast<int>(j)) {
          fail(entry["parent"].Mark(), fmt::format("joint '{}': is its own parent", listed_[j].name));
        }
      }
      ++j;
    }
  }

  void read_bones(const YAML::Node& bones) {
    for (const auto& listed : listed_) {
      if (listed.parent) fail(bones.Mark(), "give parents either in `joints` or as `bones`, not both");
    }
    for (const auto& bone : sequence(bones, "bones")) {
      if (!bone.IsSequence() || bone.size() != 2) fail(bone.Mark(), "a bone must be [child, parent]");
      const int child = joint_named(bone[0], "a bone's child");
      const int parent = joint_named(bone[1], "a bone's parent");
      auto& joint = listed_[static_cast<std::size_t>(child)];
      if (child == parent) fail(bone.Mark(), fmt::format("joint '{}': is its own parent", joint.name));
      if (joint.parent) {
        fail(bone.Mark(), fmt::format("joint '{}': has two parents ('{}' and '{}')", joint.name,
                                      listed_[static_cast<std::size_t>(*joint.parent)].name,
                                      listed_[static_cast<std::size_t>(parent)].name));
      }
      joint.parent = parent;
    }
  }

  int find_root(const YAML::Node& named) const {
    std::vector<int> roots;
    for (int j = 0; j < static_cast<int>(listed_.size()); ++j) {
      if (!listed_[static_cast<std::size_t>(j)].parent) roots.push_back(j);
    }
    if (named) {
      const int root = joint_named(named, "the root");
      if (listed_[static_cast<std::size_t>(root)].parent) {
        fail(named.Mark(), fmt::format("joint '{}': is named the root but has a parent", listed_[static_cast<std::size_t>(root)].name));
      }
    }
    if (roots.empty()) fail(YAML::Mark::null_mark(), "no root: every joint has a parent");
    if (roots.size() > 1) {
      const auto& second = listed_[static_cast<std::size_t>(roots[1])];
      fail(second.mark, fmt::format("joint '{}': a second root ('{}' has no parent either); give it a parent",
                                    second.name, listed_[static_cast<std::size_t>(roots[0])].name));
    }
    return roots.front();
  }

  // Every joint's chain of parents must end at the root; a joint whose chain loops is named.
  void check_connected(int root) const {
    for (const auto& joint : listed_) {
      std::set<int> visited;
      int at = index_.at(joint.name);
      while (at != root) {
        if (!visited.insert(at).second) {
          fail(joint.mark, fmt::format("joint '{}': its parents form a cycle that never reaches the root '{}'",
                                       joint.name, listed_[static_cast<std::size_t>(root)].name));
        }
        at = *listed_[static_cast<std::size_t>(at)].parent;
      }
    }
  }

  std::filesystem::path file_;
  std::vector<Listed> listed_;
  std::map<std::string, int> index_;
};

// A joint or group name as a YAML scalar: plain where YAML reads it back as the same text, quoted otherwise.
std::string yaml_name(const std::string& name) {
  static const std::regex kPlain(R"([A-Za-z_][A-Za-z0-9_.\-]*)");
  static const std::set<std::string> kReserved = {"null", "Null", "NULL", "true", "True", "TRUE", "false", "False",
                                                  "FALSE", "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON",
                                                  "off", "Off", "OFF", "y", "Y", "n", "N"};
  if (std::regex_match(name, kPlain) && kReserved.count(name) == 0) return name;
  std::string quoted = "\"";
  for (const char c : name) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

TopologyFile read_topology_file(const std::filesystem::path& file) { return TopologyReader(file).read(); }

std::string topology_yaml(const Topology& topology) {
  const auto name = [&](int j) { return yaml_name(topology.joint_names[static_cast<std::size_t>(j)]); };
  std::string text = fmt::format("# skelaug topology file: `skelaug data topology {}` prints it\nname: {}\nup: {}\njoints:\n",
                                 topology.name, yaml_name(topology.name), kAxes[topology.up_axis]);
  for (int j = 0; j < topology.num_joints(); ++j) {
    const int parent = topology.parents[static_cast<std::size_t>(j)];
    text += parent < 0 ? fmt::format("  - {{name: {}}}\n", name(j))
                       : fmt::format("  - {{name: {}, parent: {}}}\n", name(j), name(parent));
  }
  if (!topology.mirror_pairs.empty()) {
    text += "mirror:\n";
    for (const auto& [left, right] : topology.mirror_pairs) text += fmt::format("  - [{}, {}]\n", name(left), name(right));
  }
  const auto names = [&](const std::vector<int>& joints) {
    std::vector<std::string> out;
    for (const int j : joints) out.push_back(name(j));
    return fmt::format("[{}]", fmt::join(out, ", "));
  };
  if (!topology.foot_joints.empty()) text += fmt::format("feet: {}\n", names(topology.foot_joints));
  if (!topology.groups.empty()) {
    text += "groups:\n";
    for (const auto& [group, members] : topology.groups) text += fmt::format("  {}: {}\n", yaml_name(group), names(members));
  }
  return text;
}

bool names_topology_file(const std::string& name_or_file) {
  const auto extension = std::filesystem::path(name_or_file).extension();
  return extension == ".yaml" || extension == ".yml";
}

const Topology& topology_from(const std::string& name_or_file) {
  if (!names_topology_file(name_or_file)) return topology(name_or_file);
  return register_topology(read_topology_file(name_or_file).topology, name_or_file);
}

}  // namespace skelaug::data
