// Topology files: the built-ins round-trip through YAML and equal the shipped configs/topologies files; custom
// skeletons read with either parents or bones, the root moved first; bad files are refused naming file, line and
// joint; datasets carry their topology's definition; one name means one skeleton.
#include "skelaug/data/topology_file.h"

#include <gtest/gtest.h>

#include "scratch_directory_test.h"
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "skelaug/core/error.h"
#include "skelaug/data/dataset_io.h"
#include "skelaug/data/npz.h"

namespace skelaug::data {
namespace {

namespace fs = std::filesystem;

class TopologyFiles : public testing::ScratchDirectoryTest {
 protected:
  // The message read_topology_file gives for `text`.
  std::string refusal(const std::string& text) const {
    const auto file = write("bad.yaml", text);
    try {
      read_topology_file(file);
    } catch (const core::UserError& error) {
      return error.what();
    }
    ADD_FAILURE() << "accepted:\n" << text;
    return "";
  }
};

TEST_F(TopologyFiles, EveryBuiltinRoundTripsAndEqualsItsShippedFile) {
  for (const auto& name : {"smpl24", "hml22", "ntu25", "vibe18"}) {
    const auto& builtin = topology(name);
    const auto again = read_topology_file(write(std::string(name) + ".yaml", topology_yaml(builtin)));
    EXPECT_EQ(again.topology, builtin) << name;
    for (std::size_t j = 0; j < again.listed_order.size(); ++j) EXPECT_EQ(again.listed_order[j], static_cast<int>(j));
    const auto shipped = fs::path(SKELAUG_SOURCE_DIR) / "configs" / "topologies" / (std::string(name) + ".yaml");
    EXPECT_EQ(read_topology_file(shipped).topology, builtin) << shipped;
    EXPECT_EQ(&topology_from(shipped.string()), &builtin);  // the same definition: the built-in itself
  }
  EXPECT_FALSE(topology("vibe18").foot_joints.empty());
  EXPECT_EQ(topology("hml22").foot_joints.size(), 4u);  // ankles and feet
}

constexpr const char* kArm = R"(name: arm5
up: z
joints:
  - {name: hand_l, parent: elbow_l}
  - {name: chest}
  - {name: elbow_l, parent: chest}
  - {name: elbow_r, parent: chest}
  - {name: hand_r, parent: elbow_r}
mirror: [[elbow_l, elbow_r], [hand_l, hand_r]]
feet: []
groups:
  left: [elbow_l, hand_l]
)";

TEST_F(TopologyFiles, ACustomSkeletonKeepsItsRootFirstAndRemembersTheFileOrder) {
  const auto read = read_topology_file(write("arm.yaml", kArm));
  const auto& t = read.topology;
  EXPECT_EQ(t.name, "arm5");
  EXPECT_EQ(t.up_axis, 2);
  EXPECT_EQ(t.joint_names, (std::vector<std::string>{"chest", "hand_l", "elbow_l", "elbow_r", "hand_r"}));
  EXPECT_EQ(t.parents, (std::vector<int>{-1, 2, 0, 0, 3}));
  EXPECT_EQ(read.listed_order, (std::vector<int>{1, 0, 2, 3, 4}));  // joint i is the file's joint listed_order[i]
  EXPECT_EQ(t.mirror_pairs, (std::vector<std::pair<int, int>>{{2, 3}, {1, 4}}));
  EXPECT_TRUE(t.foot_joints.empty());
  ASSERT_EQ(t.groups.size(), 1u);
  EXPECT_EQ(t.groups[0].second, (std::vector<int>{2, 1}));
  // Written out and read again: the same definition, now with the root listed first.
  const auto again = read_topology_file(write("arm_again.yaml", topology_yaml(t)));
  EXPECT_EQ(again.topology, t);
}

TEST_F(TopologyFiles, BonesCanGiveTheTree) {
  const auto read = read_topology_file(write("bones.yaml", R"(name: bones3
joints: [pelvis, knee, foot]
bones: [[knee, pelvis], [foot, knee]]
feet: [foot]
)"));
  EXPECT_EQ(read.topology.parents, (std::vector<int>{-1, 0, 1}));
  EXPECT_EQ(read.topology.foot_joints, (std::vector<int>{2}));
  EXPECT_EQ(read.topology.up_axis, 1);  // y unless said
}

TEST_F(TopologyFiles, BadFilesAreRefusedNamingFileLineAndJoint) {
  const auto head = std::string("name: bad\njoints:\n  - {name: root}\n");
  const auto expect = [&](const std::string& text, const std::string& fragment) {
    const auto message = refusal(text);
    EXPECT_NE(message.find("bad.yaml:"), std::string::npos) << message;
    EXPECT_NE(message.find(fragment), std::string::npos) << message;
  };
  expect(head + "  - {name: a, parent: b}\n  - {name: b, parent: a}\n",
         "bad.yaml:4: joint 'a': its parents form a cycle that never reaches the root 'root'");
  expect(head + "  - {name: other}\n", "bad.yaml:4: joint 'other': a second root ('root' has no parent either)");
  expect(head + "  - {name: a, parent: nowhere}\n",
         "bad.yaml:4: joint 'nowhere' (the parent of 'a') is not among the joints");
  expect(head + "  - {name: root, parent: root}\n", "bad.yaml:4: joint 'root': the name is used twice (first on line 3)");
  expect(head + "  - {name: a, parent: root}\n  - {name: b, parent: root}\n  - {name: c, parent: root}\n"
                "mirror:\n  - [a, b]\n  - [a, c]\n",
         "bad.yaml:9: joint 'a': is in two mirror pairs (the other on line 8)");
  expect(head + "  - {name: a, parent: root}\nmirror: [[a, a]]\n", "joint 'a': is paired with itself");
  expect(head + "  - {name: a, parent: a}\n", "joint 'a': is its own parent");
  expect(head + "feet: [toe]\n", "joint 'toe' (a foot) is not among the joints");
  expect(head + "up: w\n", "up: 'w' is not x, y or z");
  expect(head + "colour: red\n", "unknown key 'colour'");
  expect("name: bad\njoints: [a, b]\nbones: [[a, b], [b, a]]\n", "no root: every joint has a parent");
  expect("name: bad\njoints:\n  - {name: a}\n  - {name: b, parent: a}\nbones: [[b, a]]\n",
         "give parents either in `joints` or as `bones`, not both");
  expect("name: bad\njoints: [\n", "YAML syntax error");
}

TEST_F(TopologyFiles, ADatasetCarriesItsTopologyAndReadsWithoutTheFile) {
  const auto& arm = topology_from(write("arm.yaml", kArm).string());
  SkeletonDataset dataset;
  dataset.topology = arm.name;
  dataset.fps = 15;
  dataset.class_names = {"wave"};
  const std::vector<float> frames(3 * 5 * 3, 0.5f);
  dataset.add_clip(frames.data(), 3, 0, {});
  const auto file = directory_ / "arm.npz";
  save_dataset(file, dataset);
  fs::remove(directory_ / "arm.yaml");
  const auto arrays = read_npz(file);
  EXPECT_EQ(arrays.at("topology_joints").to_strings(), arm.joint_names);
  EXPECT_EQ(arrays.at("topology_up").to_strings().at(0), "z");
  const auto read = load_dataset(file);
  EXPECT_EQ(read.topology, "arm5");
  EXPECT_EQ(topology(read.topology), arm);
}

TEST_F(TopologyFiles, ANameMeansOneSkeleton) {
  auto changed = topology("ntu25");
  changed.foot_joints.clear();
  try {
    register_topology(changed, "mine.yaml");
    FAIL() << "expected a UserError";
  } catch (const core::UserError& error) {
    EXPECT_NE(std::string(error.what()).find("mine.yaml: topology 'ntu25' is defined differently from the built-in"),
              std::string::npos)
        << error.what();
  }
  const auto file = write("arm.yaml", kArm);
  const auto& first = topology_from(file.string());
  EXPECT_EQ(&topology_from(file.string()), &first);  // registering the same definition again changes nothing
  std::ofstream(file, std::ios::app) << "  right: [elbow_r, hand_r]\n";
  EXPECT_THROW(topology_from(file.string()), core::UserError);
}

}  // namespace
}  // namespace skelaug::data
