#include <gtest/gtest.h>

#include "scratch_directory_test.h"
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "skelaug/core/error.h"
#include "skelaug/data/dataset_io.h"
#include "skelaug/data/npz.h"
#include "skelaug/data/topology.h"

namespace skelaug::data {
namespace {

namespace fs = std::filesystem;

// Three clips on ntu25 with coordinates that encode (clip, frame, joint, axis), so any misplaced value shows.
SkeletonDataset known_dataset() {
  SkeletonDataset dataset;
  dataset.topology = "ntu25";
  dataset.fps = 30;
  dataset.class_names = {"drink water", "tëst ünïcode", "c"};
  const std::int64_t lengths[] = {2, 3, 1};
  for (int clip = 0; clip < 3; ++clip) {
    std::vector<float> values;
    for (int f = 0; f < lengths[clip]; ++f) {
      for (int j = 0; j < 25; ++j) {
        for (int a = 0; a < 3; ++a) values.push_back(static_cast<float>(clip * 1000 + f * 100 + j + a * 0.25));
      }
    }
    ClipInfo info;
    info.subject = clip == 1 ? -1 : clip + 1;
    info.camera = 2;
    info.split = clip == 2 ? "test" : "train";
    info.source = "S001C002P00" + std::to_string(clip) + "R001A001.skeleton";
    dataset.add_clip(values.data(), lengths[clip], 2 - clip, info);
  }
  return dataset;
}

class DatasetIoTest : public testing::ScratchDirectoryTest {
 protected:
  const fs::path& dir_ = directory_;
};

TEST_F(DatasetIoTest, RoundTripKeepsEveryArray) {
  const auto dataset = known_dataset();
  save_dataset(dir_ / "d.npz", dataset);
  const auto loaded = load_dataset(dir_ / "d.npz");
  EXPECT_EQ(loaded.topology, "ntu25");
  EXPECT_EQ(loaded.fps, 30.0);
  EXPECT_EQ(loaded.class_names, dataset.class_names);
  EXPECT_EQ(loaded.joints, dataset.joints);
  EXPECT_EQ(loaded.offsets, (std::vector<std::int64_t>{0, 2, 5, 6}));
  EXPECT_EQ(loaded.labels, (std::vector<std::int64_t>{2, 1, 0}));
  EXPECT_EQ(loaded.subject, (std::vector<std::int64_t>{1, -1, 3}));
  EXPECT_EQ(loaded.camera, (std::vector<std::int64_t>{2, 2, 2}));
  EXPECT_TRUE(loaded.body.empty());
  EXPECT_EQ(loaded.split, (std::vector<std::string>{"train", "train", "test"}));
  EXPECT_EQ(loaded.source, dataset.source);
}

TEST_F(DatasetIoTest, NumpyReadsEveryArrayExactly) {
  save_dataset(dir_ / "d.npz", known_dataset());
  const auto script = dir_ / "check.py";
  std::ofstream(script) << R"(import sys, numpy as np
d = np.load(sys.argv[1])
assert sorted(d.files) == sorted(['joints','offsets','labels','class_names','topology','fps','subject','camera','split','source',
                                  'topology_joints','topology_parents','topology_mirror','topology_feet','topology_up',
                                  'topology_groups','topology_group_joints']), d.files
assert d['topology_joints'].shape == (25,) and d['topology_joints'][0] == 'spine_base' and d['topology_joints'][24] == 'right_thumb'
assert d['topology_parents'].dtype == np.int64 and d['topology_parents'][0] == -1 and d['topology_parents'][2] == 20
assert d['topology_mirror'].shape == (10, 2) and str(d['topology_up']) == 'y'
j = d['joints']; assert j.dtype == np.float32 and j.shape == (6, 25, 3), (j.dtype, j.shape)
o = d['offsets']; assert o.dtype == np.int64 and list(o) == [0, 2, 5, 6]
for clip in range(3):
    for f in range(o[clip + 1] - o[clip]):
        for k in range(25):
            for a in range(3):
                assert j[o[clip] + f, k, a] == np.float32(clip * 1000 + f * 100 + k + a * 0.25)
assert d['labels'].dtype == np.int64 and list(d['labels']) == [2, 1, 0]
assert list(d['class_names']) == ['drink water', 'tëst ünïcode', 'c']
assert str(d['topology']) == 'ntu25' and d['topology'].shape == ()
assert float(d['fps']) == 30.0 and d['fps'].dtype == np.float64
assert list(d['subject']) == [1, -1, 3] and list(d['camera']) == [2, 2, 2]
assert list(d['split']) == ['train', 'train', 'test']
assert d['source'][1] == 'S001C002P001R001A001.skeleton'
print('numpy-ok')
)";
  const auto command = "/usr/bin/python3 " + script.string() + " " + (dir_ / "d.npz").string() + " 2>&1";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  EXPECT_EQ(::pclose(pipe), 0) << output;
  EXPECT_EQ(output, "numpy-ok\n");
}

TEST_F(DatasetIoTest, SameDatasetSameBytes) {
  save_dataset(dir_ / "a.npz", known_dataset());
  save_dataset(dir_ / "b.npz", known_dataset());
  std::ifstream a(dir_ / "a.npz", std::ios::binary), b(dir_ / "b.npz", std::ios::binary);
  const std::string bytes_a((std::istreambuf_iterator<char>(a)), {}), bytes_b((std::istreambuf_iterator<char>(b)), {});
  EXPECT_FALSE(bytes_a.empty());
  EXPECT_EQ(bytes_a, bytes_b);
}

TEST_F(DatasetIoTest, InvalidDatasetsAreRefusedAndNothingIsWritten) {
  auto dataset = known_dataset();
  dataset.joints[25 * 3 + 4] = std::nanf("");
  try {
    save_dataset(dir_ / "bad.npz", dataset);
    FAIL();
  } catch (const core::UserError& e) {
    EXPECT_NE(std::string(e.what()).find("clip 0 frame 1 joint 1: coordinate is nan"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(fs::is_empty(dir_));
  dataset = known_dataset();
  dataset.labels[0] = 3;
  EXPECT_THROW(save_dataset(dir_ / "bad.npz", dataset), core::UserError);
  dataset = known_dataset();
  dataset.topology = "ntu26";
  EXPECT_THROW(save_dataset(dir_ / "bad.npz", dataset), core::UserError);
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(DatasetIoTest, DamagedFilesGiveOneCleanError) {
  save_dataset(dir_ / "d.npz", known_dataset());
  std::ifstream in(dir_ / "d.npz", std::ios::binary);
  const std::string good((std::istreambuf_iterator<char>(in)), {});
  std::mt19937 random(7);
  int clean_errors = 0;
  for (int trial = 0; trial < 600; ++trial) {
    std::string bad = good;
    switch (trial % 3) {
      case 0: bad.resize(random() % bad.size()); break;
      case 1:
        for (int k = 0; k < 1 + static_cast<int>(random() % 8); ++k) bad[random() % bad.size()] ^= static_cast<char>(1 + random() % 255);
        break;
      default: bad.erase(random() % bad.size(), 1 + random() % 64); break;
    }
    std::ofstream(dir_ / "m.npz", std::ios::binary) << bad;
    try {
      const auto loaded = load_dataset(dir_ / "m.npz");
      loaded.validate("reloaded");  // whatever loads must be a valid dataset
    } catch (const core::UserError& e) {
      EXPECT_NE(std::string(e.what()).find("m.npz"), std::string::npos) << e.what();
      ++clean_errors;
    }
  }
  EXPECT_GT(clean_errors, 300);
}

TEST(NpyEncoding, HeaderIsPaddedAndDecodes) {
  const auto array = NpyArray::from_int64({2, 3}, {1, 2, 3, 4, 5, 6});
  const auto bytes = encode_npy(array);
  const std::size_t header = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
  EXPECT_EQ((10 + header) % 64, 0u);
  EXPECT_EQ(bytes[10 + header - 1], '\n');
  EXPECT_NE(bytes.find("'shape': (2, 3)"), std::string::npos);
  const auto decoded = decode_npy(bytes);
  EXPECT_EQ(decoded.shape, array.shape);
  EXPECT_EQ(decoded.to_int64(), (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_NE(encode_npy(NpyArray::from_int64({4}, {1, 2, 3, 4})).find("'shape': (4,)"), std::string::npos);
  EXPECT_NE(encode_npy(NpyArray::scalar_float64(1)).find("'shape': ()"), std::string::npos);
  EXPECT_THROW(decode_npy(bytes.substr(0, bytes.size() - 1)), std::runtime_error);
}

TEST(Topologies, TreesEdgesAndMirrorPairsAreConsistent) {
  for (const auto& name : topology_names()) {
    const auto& t = topology(name);
    ASSERT_EQ(t.parents.size(), t.joint_names.size()) << name;
    EXPECT_EQ(t.parents[0], -1) << name;
    for (int j = 1; j < t.num_joints(); ++j) {
      EXPECT_GE(t.parents[static_cast<std::size_t>(j)], 0) << name << " joint " << j;
      EXPECT_NE(t.parents[static_cast<std::size_t>(j)], j) << name;
    }
    EXPECT_EQ(static_cast<int>(t.edges().size()), t.num_joints() - 1) << name;
    const auto mirror = t.mirror_permutation();
    for (int j = 0; j < t.num_joints(); ++j) EXPECT_EQ(mirror[static_cast<std::size_t>(mirror[static_cast<std::size_t>(j)])], j);
  }
  EXPECT_EQ(topology("smpl24").num_joints(), 24);
  EXPECT_EQ(topology("hml22").num_joints(), 22);
  EXPECT_EQ(topology("ntu25").num_joints(), 25);
  EXPECT_EQ(topology("vibe18").num_joints(), 18);
  EXPECT_EQ(topology("ntu25").mirror_pairs.size(), 10u);
  EXPECT_EQ(topology("hml22").mirror_pairs.size(), 8u);
  EXPECT_EQ(topology("smpl24").mirror_pairs.size(), 9u);
  EXPECT_EQ(topology("vibe18").mirror_pairs.size(), 7u);
  EXPECT_EQ(topology("ntu25").parents[static_cast<std::size_t>(topology("ntu25").index_of("neck"))],
            topology("ntu25").index_of("spine_shoulder"));
  EXPECT_THROW(topology("coco17"), core::UserError);
}

}  // namespace
}  // namespace skelaug::data
