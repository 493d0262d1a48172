// The BVH importer: parsing, forward kinematics against hand-computed positions, the real CMU files (bone lengths,
// frame counts, resampling, the built-in SMPL map), one clear error per malformed file, and random corruption.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <stdexcept>
#include <sstream>

#include "skelaug/core/error.h"
#include "skelaug/data/bvh_import.h"
#include "skelaug/data/bvh_kinematics.h"
#include "skelaug/data/topology.h"

namespace skelaug::data {
namespace {

namespace fs = std::filesystem;

const fs::path kCmuDir = fs::path(SKELAUG_SOURCE_DIR) / "tests" / "data" / "fixtures" / "cmu-bvh";
constexpr double kCmuToMetres = 0.0254 / 0.45;

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read the test fixture " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A fresh directory under the system temporary directory, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("skelaug_bvh_test_" + std::to_string(::getpid()) + "_" +
                                         std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  fs::path write(const std::string& name, const std::string& text) const {
    const fs::path file = path_ / name;
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }
  const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

// Root with all six channels in a non-XYZ order, a joint and a grandchild with two other rotation orders, and an End
// Site. Frame 1 is the rest pose; frame 2 rotates by 90 degrees about two axes at every joint, so that each joint's
// position depends on the order its channels compose in and on its OFFSET.
const char* kTinyBvh =
    "HIERARCHY\n"                                                        // 1
    "ROOT Root\n"                                                        // 2
    "{\n"                                                                // 3
    "  OFFSET 10 20 30\n"                                                // 4
    "  CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation\n"  // 5
    "  JOINT A\n"                                                        // 6
    "  {\n"                                                              // 7
    "    OFFSET 0 2 0\n"                                                 // 8
    "    CHANNELS 3 Xrotation Zrotation Yrotation\n"                     // 9
    "    JOINT B\n"                                                      // 10
    "    {\n"                                                            // 11
    "      OFFSET 1 0 0\n"                                               // 12
    "      CHANNELS 3 Yrotation Xrotation Zrotation\n"                   // 13
    "      End Site\n"                                                   // 14
    "      {\n"                                                          // 15
    "        OFFSET 0 0 3\n"                                             // 16
    "      }\n"                                                          // 17
    "    }\n"                                                            // 18
    "  }\n"                                                              // 19
    "}\n"                                                                // 20
    "MOTION\n"                                                           // 21
    "Frames: 2\n"                                                        // 22
    "Frame Time: 0.1\n"                                                  // 23
    "1 2 3 0 0 0 0 0 0 0 0 0\n"                                          // 24
    "1 2 3 90 90 0 90 90 0 90 90 0\n";                                   // 25

std::string replace_line(const std::string& text, int line, const std::string& replacement) {
  std::istringstream in(text);
  std::string out;
  std::string current;
  for (int number = 1; std::getline(in, current); ++number) out += (number == line ? replacement : current) + "\n";
  return out;
}

void expect_position(const std::vector<double>& world, std::size_t joints, std::size_t frame, std::size_t joint,
                     double x, double y, double z) {
  const double* p = world.data() + (frame * joints + joint) * 3;
  EXPECT_NEAR(p[0], x, 1e-12) << "frame " << frame << " joint " << joint;
  EXPECT_NEAR(p[1], y, 1e-12) << "frame " << frame << " joint " << joint;
  EXPECT_NEAR(p[2], z, 1e-12) << "frame " << frame << " joint " << joint;
}

TEST(BvhParse, TinyHierarchyAndMotion) {
  const BvhMotion motion = parse_bvh(kTinyBvh, "tiny.bvh");
  ASSERT_EQ(motion.skeleton.joints.size(), 4u);
  EXPECT_EQ(motion.skeleton.joints[0].name, "Root");
  EXPECT_EQ(motion.skeleton.joints[3].name, "B_End");
  EXPECT_TRUE(motion.skeleton.joints[3].end_site);
  EXPECT_EQ(motion.skeleton.joints[2].parent, 1);
  EXPECT_EQ(motion.skeleton.joints[2].first_channel, 9);
  EXPECT_EQ(motion.skeleton.joints[1].channels,
            (std::vector<BvhChannel>{BvhChannel::kXrotation, BvhChannel::kZrotation, BvhChannel::kYrotation}));
  EXPECT_EQ(motion.skeleton.num_channels, 12);
  EXPECT_EQ(motion.frames, 2);
  EXPECT_DOUBLE_EQ(motion.frame_time, 0.1);
  EXPECT_DOUBLE_EQ(motion.fps(), 10);
  ASSERT_EQ(motion.values.size(), 24u);
  EXPECT_EQ(motion.values[12 + 3], 90);
}

// Hand-derived (Rx(90): y->z, z->-y; Ry(90): z->x, x->-z; Rz(90): x->y, y->-x; matrices compose left to right in
// channel order, applied to column vectors):
//   Root: position channels (1,2,3) replace OFFSET (10,20,30); R0 = Rz Rx.
//   A = Root + R0 (0,2,0) = (1,2,3) + Rz(Rx(0,2,0)) = (1,2,3) + Rz(0,0,2) = (1,2,5);  RA = R0 Rx Rz.
//   B = A + RA (1,0,0) = A + R0 Rx (0,1,0) = A + R0 (0,0,1) = A + Rz(0,-1,0) = (2,2,5); RB = RA Ry Rx.
//   End = B + RB (0,0,3): Rx -> (0,-3,0), Ry -> (0,-3,0), Rz -> (3,0,0), Rx -> (3,0,0), R0 -> (0,3,0) => (2,5,5).
// With any joint's order reversed, or an OFFSET ignored, at least one of these changes.
TEST(BvhKinematics, TinyFileGivesHandComputedPositions) {
  const BvhMotion motion = parse_bvh(kTinyBvh, "tiny.bvh");
  const auto world = bvh_world_positions(motion, 1.0);
  ASSERT_EQ(world.size(), 2u * 4 * 3);
  expect_position(world, 4, 0, 0, 1, 2, 3);
  expect_position(world, 4, 0, 1, 1, 4, 3);
  expect_position(world, 4, 0, 2, 2, 4, 3);
  expect_position(world, 4, 0, 3, 2, 4, 6);
  expect_position(world, 4, 1, 0, 1, 2, 3);
  expect_position(world, 4, 1, 1, 1, 2, 5);
  expect_position(world, 4, 1, 2, 2, 2, 5);
  expect_position(world, 4, 1, 3, 2, 5, 5);

  const auto scaled = bvh_world_positions(motion, 0.5);
  for (std::size_t i = 0; i < world.size(); ++i) EXPECT_DOUBLE_EQ(scaled[i], world[i] * 0.5);
}

TEST(BvhKinematics, OffsetIsUsedWhereNoPositionChannelReplacesIt) {
  // Root with only Yposition: x and z come from its OFFSET. A rotation about Y by 90 turns the child's (1,0,0) to
  // (0,0,-1).
  const std::string text =
      "HIERARCHY\nROOT R\n{\n OFFSET 10 20 30\n CHANNELS 2 Yposition Yrotation\n End Site\n {\n  OFFSET 1 0 0\n }\n}\n"
      "MOTION\nFrames: 1\nFrame Time: 0.5\n7 90\n";
  const auto world = bvh_world_positions(parse_bvh(text, "y.bvh"), 1.0);
  expect_position(world, 2, 0, 0, 10, 7, 30);
  expect_position(world, 2, 0, 1, 10, 7, 29);
}

TEST(BvhResample, CountsAndExactFramesForIntegerRatios) {
  EXPECT_EQ(resampled_frame_count(994, 120, 30), 249);
  EXPECT_EQ(resampled_frame_count(994, 120, 20), 166);
  EXPECT_EQ(resampled_frame_count(1102, 120, 30), 276);
  EXPECT_EQ(resampled_frame_count(1102, 120, 20), 184);
  EXPECT_EQ(resampled_frame_count(994, 120, 50), 414);
  EXPECT_EQ(resampled_frame_count(5, 30, 60), 9);
  EXPECT_EQ(resampled_frame_count(1, 120, 30), 1);

  // One point moving along x by 1 per frame: linear interpolation is exact, at any rate.
  std::vector<double> line;
  for (int f = 0; f < 10; ++f) line.insert(line.end(), {static_cast<double>(f), 0.0, 1.0});
  std::int64_t frames = 0;
  const auto up = resample_positions(line, 10, 1, 30, 45, &frames);
  ASSERT_EQ(frames, 14);
  for (std::int64_t k = 0; k < frames; ++k) EXPECT_NEAR(up[static_cast<std::size_t>(k) * 3], k * 30.0 / 45.0, 1e-12);
  const auto down = resample_positions(line, 10, 1, 30, 10, &frames);
  ASSERT_EQ(frames, 4);
  for (std::int64_t k = 0; k < frames; ++k) EXPECT_EQ(down[static_cast<std::size_t>(k) * 3], 3.0 * k);
}

// ---- The real CMU recordings.

struct CmuExpectation {
  const char* file;
  std::int64_t frames;
};
const CmuExpectation kCmuFiles[] = {{"131_01.bvh", 994}, {"131_03.bvh", 1102}};

double distance(const double* a, const double* b) {
  return std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
}

TEST(BvhCmu, HeaderFramesRateAndSkeleton) {
  for (const auto& expected : kCmuFiles) {
    const BvhMotion motion = read_bvh(kCmuDir / expected.file);
    EXPECT_EQ(motion.frames, expected.frames) << expected.file;
    EXPECT_NEAR(motion.frame_time, 1.0 / 120, 1e-6);
    EXPECT_EQ(motion.fps(), 120.0) << "the header's .0083333 s snaps to 120 fps";
    // Hips + 30 joints, 7 End Sites; 6 root channels + 3 per joint.
    EXPECT_EQ(motion.skeleton.joints.size(), 38u);
    EXPECT_EQ(motion.skeleton.num_channels, 96);
    EXPECT_EQ(motion.values.size(), static_cast<std::size_t>(expected.frames) * 96);
    EXPECT_EQ(motion.skeleton.joints[0].name, "Hips");
  }
}

// Every bone keeps its OFFSET length in every frame: rotations must be rigid and applied to the right offsets.
TEST(BvhCmu, BoneLengthsStayConstantOverAllFrames) {
  for (const auto& expected : kCmuFiles) {
    const BvhMotion motion = read_bvh(kCmuDir / expected.file);
    const auto world = bvh_world_positions(motion, kCmuToMetres);
    const std::size_t joints = motion.skeleton.joints.size();
    double worst = 0;
    for (std::size_t j = 1; j < joints; ++j) {
      const auto& joint = motion.skeleton.joints[j];
      const double rest = kCmuToMetres * std::sqrt(joint.offset[0] * joint.offset[0] +
                                                   joint.offset[1] * joint.offset[1] +
                                                   joint.offset[2] * joint.offset[2]);
      for (std::int64_t f = 0; f < motion.frames; ++f) {
        const double* base = world.data() + static_cast<std::size_t>(f) * joints * 3;
        const double length = distance(base + j * 3, base + static_cast<std::size_t>(joint.parent) * 3);
        worst = std::max(worst, std::abs(length - rest));
      }
    }
    std::printf("%s: bone length max deviation %.3g m over %lld frames\n", expected.file, worst,
                static_cast<long long>(motion.frames));
    EXPECT_LT(worst, 1e-9) << expected.file;  // metres; double-precision rounding only
  }
}

TEST(BvhCmu, ImportResamplesAndMapsOntoSmpl24) {
  std::vector<fs::path> files;
  for (const auto& expected : kCmuFiles) files.push_back(kCmuDir / expected.file);
  BvhImportOptions options;
  options.topology = "smpl24";
  options.joint_map = "builtin";
  options.scale = kCmuToMetres;
  options.label = "locomotion";

  const SkeletonDataset full = import_bvh_files(files, options);
  EXPECT_EQ(full.fps, 120.0);
  ASSERT_EQ(full.size(), 2u);
  EXPECT_EQ(full.frames(0), 994);
  EXPECT_EQ(full.frames(1), 1102);
  EXPECT_EQ(full.source, (std::vector<std::string>{"131_01.bvh", "131_03.bvh"}));
  EXPECT_EQ(full.class_names, (std::vector<std::string>{"locomotion"}));
  full.validate("cmu");

  options.fps = 30;
  const SkeletonDataset at30 = import_bvh_files(files, options);
  EXPECT_EQ(at30.fps, 30.0);
  EXPECT_EQ(at30.frames(0), 249);
  EXPECT_EQ(at30.frames(1), 276);
  // 120 -> 30 takes every 4th frame exactly.
  const std::size_t frame_values = 24 * 3;
  for (std::size_t clip = 0; clip < 2; ++clip) {
    for (std::int64_t k = 0; k < at30.frames(clip); ++k) {
      for (std::size_t i = 0; i < frame_values; ++i) {
        ASSERT_EQ(at30.clip_data(clip)[static_cast<std::size_t>(k) * frame_values + i],
                  full.clip_data(clip)[static_cast<std::size_t>(4 * k) * frame_values + i]);
      }
    }
  }
  options.fps = 20;
  const SkeletonDataset at20 = import_bvh_files(files, options);
  EXPECT_EQ(at20.frames(0), 166);
  EXPECT_EQ(at20.frames(1), 184);

  // The mapped limb bones (single BVH joints at both ends) keep their lengths to float precision at 30 fps.
  const Topology& smpl = topology("smpl24");
  const char* limb_joints[] = {"left_knee",  "right_knee",  "left_ankle", "right_ankle", "left_foot",
                               "right_foot", "left_elbow",  "right_elbow", "left_wrist", "right_wrist"};
  double worst = 0;
  for (const char* name : limb_joints) {
    const auto child = static_cast<std::size_t>(smpl.index_of(name));
    const auto parent = static_cast<std::size_t>(smpl.parents[child]);
    for (std::size_t clip = 0; clip < 2; ++clip) {
      double first = -1;
      for (std::int64_t f = 0; f < at30.frames(clip); ++f) {
        const float* p = at30.clip_data(clip) + static_cast<std::size_t>(f) * frame_values;
        const double a[3] = {p[child * 3], p[child * 3 + 1], p[child * 3 + 2]};
        const double b[3] = {p[parent * 3], p[parent * 3 + 1], p[parent * 3 + 2]};
        const double length = distance(a, b);
        if (first < 0) first = length;
        worst = std::max(worst, std::abs(length - first));
      }
    }
  }
  std::printf("smpl24 limb bones at 30 fps: max length deviation %.3g m\n", worst);
  EXPECT_LT(worst, 2e-5);

  // Plausible human in metres, SMPL's handedness: thigh 0.3-0.55 m, pelvis 0.7-1.2 m above the lowest foot, head
  // above the pelvis, and the feet pointing where the body faces, (left hip - right hip) x up.
  const float* first = at30.clip_data(0);
  const auto joint = [&](const char* name) { return first + smpl.index_of(name) * 3; };
  const auto point = [&](const char* name) {
    return std::array<double, 3>{joint(name)[0], joint(name)[1], joint(name)[2]};
  };
  const double thigh = distance(point("left_hip").data(), point("left_knee").data());
  EXPECT_GT(thigh, 0.3);
  EXPECT_LT(thigh, 0.55);
  const double pelvis_height = joint("pelvis")[1] - std::min(joint("left_foot")[1], joint("right_foot")[1]);
  EXPECT_GT(pelvis_height, 0.7);
  EXPECT_LT(pelvis_height, 1.2);
  EXPECT_GT(joint("head")[1], joint("pelvis")[1] + 0.3);
  const double across[3] = {joint("left_hip")[0] - joint("right_hip")[0], joint("left_hip")[1] - joint("right_hip")[1],
                            joint("left_hip")[2] - joint("right_hip")[2]};
  const double facing[3] = {-across[2], 0, across[0]};  // across x (0,1,0)
  for (const auto& [ankle, foot] : {std::pair{"left_ankle", "left_foot"}, std::pair{"right_ankle", "right_foot"}}) {
    const double toe_x = joint(foot)[0] - joint(ankle)[0];
    const double toe_z = joint(foot)[2] - joint(ankle)[2];
    EXPECT_GT(toe_x * facing[0] + toe_z * facing[2], 0) << foot;
  }
}

TEST(BvhCmu, Hml22UsesTheFirst22SmplJoints) {
  BvhImportOptions options;
  options.topology = "smpl24";
  options.joint_map = "builtin";
  options.label = "walk";
  const auto smpl = import_bvh_files({kCmuDir / "131_01.bvh"}, options);
  options.topology = "hml22";
  const auto hml = import_bvh_files({kCmuDir / "131_01.bvh"}, options);
  ASSERT_EQ(hml.total_frames(), smpl.total_frames());
  for (std::int64_t f = 0; f < hml.total_frames(); f += 97) {
    for (std::size_t i = 0; i < 22 * 3; ++i) {
      ASSERT_EQ(hml.joints[static_cast<std::size_t>(f) * 66 + i], smpl.joints[static_cast<std::size_t>(f) * 72 + i]);
    }
  }
}

// ---- Joint and label maps, options.

TEST(BvhJointMaps, ShippedYamlFilesEqualTheBuiltInMaps) {
  for (const std::string topology_name : {"smpl24", "hml22"}) {
    const fs::path file = fs::path(SKELAUG_SOURCE_DIR) / "data" / "joint_maps" / ("cmu_" + topology_name + ".yaml");
    const auto shipped = read_bvh_joint_map(file, topology_name);
    const auto builtin = builtin_bvh_joint_map(topology_name);
    EXPECT_EQ(shipped.sources, builtin.sources) << file;
    TempDir dir;
    const auto round_trip = read_bvh_joint_map(dir.write("map.yaml", bvh_joint_map_yaml(builtin)), topology_name);
    EXPECT_EQ(round_trip.sources, builtin.sources);
  }
}

TEST(BvhJointMaps, MistakesNameTheFileAndLine) {
  TempDir dir;
  const auto expect_error = [](const fs::path& file, const std::string& topology_name, const std::string& fragment) {
    try {
      read_bvh_joint_map(file, topology_name);
      ADD_FAILURE() << "no error for " << file;
    } catch (const core::UserError& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  const std::string good = read_text(fs::path(SKELAUG_SOURCE_DIR) / "data" / "joint_maps" / "cmu_hml22.yaml");
  expect_error(dir.write("typo.yaml", good + "left_nee: LeftKnee\n"), "hml22", "typo.yaml:26: 'left_nee' is not");
  expect_error(dir.write("short.yaml", "pelvis: Hips\n"), "hml22", "lacks left_hip, right_hip");
  expect_error(dir.write("list.yaml", "- a\n- b\n"), "hml22", "must be a YAML mapping");
  expect_error(dir.write("syntax.yaml", "pelvis: [Hips\n"), "hml22", "syntax.yaml:");
  expect_error(dir.write("twice.yaml", "pelvis: Hips\npelvis: Hips\n"), "hml22", "twice.yaml:2: 'pelvis' is mapped twice");
  EXPECT_THROW(builtin_bvh_joint_map("ntu25"), core::UserError);

  // A map naming a joint the file lacks.
  const fs::path bvh = dir.write("tiny.bvh", kTinyBvh);
  BvhImportOptions options;
  options.topology = "hml22";
  options.joint_map = "builtin";
  options.label = "x";
  try {
    import_bvh_files({bvh}, options);
    ADD_FAILURE();
  } catch (const core::UserError& e) {
    EXPECT_NE(std::string(e.what()).find("tiny.bvh: joint map builtin needs BVH joint 'Hips'"), std::string::npos)
        << e.what();
  }
}

TEST(BvhImport, LabelsOptionsAndRates) {
  TempDir dir;
  const fs::path a = dir.write("walk_1.bvh", kTinyBvh);
  const fs::path b = dir.write("jump_1.bvh", kTinyBvh);
  const fs::path c = dir.write("slow.bvh", replace_line(kTinyBvh, 23, "Frame Time: 0.05"));
  // Every topology joint from the tiny file's joints.
  std::string map_text;
  for (const auto& name : topology("vibe18").joint_names) map_text += name + ": [Root, B_End]\n";
  BvhImportOptions options;
  options.topology = "vibe18";
  options.joint_map = dir.write("map.yaml", map_text).string();
  options.label_map = dir.write("labels.yaml", "walk_1: walk\njump_1: jump\nslow: walk\n").string();

  const auto dataset = import_bvh_files({a, b}, options);
  EXPECT_EQ(dataset.class_names, (std::vector<std::string>{"jump", "walk"}));
  EXPECT_EQ(dataset.labels, (std::vector<std::int64_t>{1, 0}));
  EXPECT_EQ(dataset.fps, 10.0);
  // Frame 2: mean of Root (1,2,3) and End (2,5,5).
  EXPECT_FLOAT_EQ(dataset.clip_data(0)[18 * 3 + 0], 1.5f);
  EXPECT_FLOAT_EQ(dataset.clip_data(0)[18 * 3 + 1], 3.5f);
  EXPECT_FLOAT_EQ(dataset.clip_data(0)[18 * 3 + 2], 4.0f);

  const auto expect_error = [&](const std::vector<fs::path>& files, const BvhImportOptions& o, const std::string& what) {
    try {
      import_bvh_files(files, o);
      ADD_FAILURE() << "no error; expected " << what;
    } catch (const core::UserError& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  expect_error({a, c}, options, "choose it with --fps");
  BvhImportOptions resampled = options;
  resampled.fps = 20;
  const auto both = import_bvh_files({a, c}, resampled);
  EXPECT_EQ(both.frames(0), 3);  // 2 frames at 10 fps -> 0, 0.05, 0.1 s
  EXPECT_EQ(both.frames(1), 2);  // already at 20 fps

  // Rates are bounded, and so is what resampling may allocate: 12 frames at 0.1 fps are 110 s, 1.1 million frames
  // at 10,000 fps.
  BvhImportOptions fast = options;
  fast.fps = 1e9;
  expect_error({a}, fast, "--fps must be between 0.1 and 10000 (or 0: the files' own rate), not 1000000000");
  fast.fps = 10000;
  std::string long_and_slow = replace_line(replace_line(kTinyBvh, 22, "Frames: 12"), 23, "Frame Time: 10");
  for (int row = 0; row < 10; ++row) long_and_slow += "1 2 3 0 0 0 0 0 0 0 0 0\n";
  expect_error({dir.write("slow.bvh", long_and_slow)}, fast,
               "slow.bvh: 12 frames at 0.1 fps would become 1100001 frames at 10000 fps, more than the 1000000");

  BvhImportOptions bad = options;
  bad.label_map = dir.write("few.yaml", "walk_1: walk\n").string();
  expect_error({a, b}, bad, "has no entry for 'jump_1'");
  bad = options;
  bad.label = "both";
  expect_error({a}, bad, "exactly one of --label");
  bad = options;
  bad.topology.clear();
  expect_error({a}, bad, "needs --topology");
  bad = options;
  bad.joint_map.clear();
  expect_error({a}, bad, "needs --joint-map");
  bad = options;
  bad.topology = "smpl99";
  expect_error({a}, bad, "smpl99");
  bad = options;
  bad.scale = 0;
  expect_error({a}, bad, "--scale");
}

// ---- Malformed files: one UserError "<file>:<line>: ...".

struct BadCase {
  const char* name;
  std::string text;
  int line;
  const char* fragment;
};

std::vector<BadCase> bad_cases() {
  const std::string tiny = kTinyBvh;
  return {
      {"truncated in the hierarchy", tiny.substr(0, tiny.find("    JOINT B")), 9, "has no closing '}'"},
      {"truncated in the motion", tiny.substr(0, tiny.find("1 2 3 90")), 24, "ends after 1 of the 2 frames"},
      {"truncated mid row", tiny.substr(0, tiny.size() - 8), 25, "frame 2 has 9 values, expected 12"},
      {"non-number", replace_line(tiny, 25, "1 2 3 90 9O 0 90 90 0 90 90 0"), 25, "value 5 of frame 2 is not a number"},
      {"too few values", replace_line(tiny, 24, "1 2 3 0 0 0 0 0 0 0 0"), 24, "frame 1 has 11 values, expected 12"},
      {"too many values", replace_line(tiny, 24, "1 2 3 0 0 0 0 0 0 0 0 0 0"), 24, "more than 12 values"},
      {"more rows than Frames", replace_line(tiny, 22, "Frames: 1"), 25, "more motion rows than 'Frames: 1'"},
      {"fewer rows than Frames", replace_line(tiny, 22, "Frames: 3"), 25, "ends after 2 of the 3 frames"},
      {"NaN", replace_line(tiny, 24, "1 2 3 0 0 nan 0 0 0 0 0 0"), 24, "value 6 of frame 1 is not finite: 'nan'"},
      {"Inf", replace_line(tiny, 25, "1 2 3 90 90 0 90 90 0 90 -inf 0"), 25, "value 11 of frame 2 is not finite"},
      {"overflow", replace_line(tiny, 25, "1 2 3 90 90 0 90 90 0 90 1e999 0"), 25, "is not finite: '1e999'"},
      {"NaN offset", replace_line(tiny, 12, "      OFFSET 1 NaN 0"), 12, "OFFSET value 'NaN' is not a finite number"},
      {"unknown channel", replace_line(tiny, 9, "    CHANNELS 3 Xrotation Wrotation Yrotation"), 9,
       "unknown channel 'Wrotation'"},
      {"channel count", replace_line(tiny, 9, "    CHANNELS 7 Xrotation Zrotation Yrotation"), 9, "from 0 to 6"},
      {"extra '}'", replace_line(tiny, 20, "}\n}"), 21, "'}' without a matching '{'"},
      {"missing '}'", replace_line(tiny, 19, ""), 21, "MOTION before the hierarchy is closed: joint 'Root' (line 2)"},
      {"missing '{'", replace_line(tiny, 7, ""), 8, "expected '{' to open joint 'A'"},
      {"bad frame count", replace_line(tiny, 22, "Frames: two"), 22, "Frames: 'two' is not a whole number"},
      {"zero frame time", replace_line(tiny, 23, "Frame Time: 0"), 23, "Frame Time must be positive"},
      {"huge frame time", replace_line(tiny, 23, "Frame Time: 1e300"), 23,
       "Frame Time 1e+300 s is outside 0.0001 to 10 s (10000 to 0.1 frames per second)"},
      {"tiny frame time", replace_line(tiny, 23, "Frame Time: 1e-9"), 23, "Frame Time 1e-09 s is outside"},
      {"no MOTION", tiny.substr(0, tiny.find("MOTION")), 20, "where 'MOTION' was expected"},
      {"empty file", "", 1, "where 'HIERARCHY' was expected"},
      {"not BVH", "{\"json\": true}\n", 1, "expected 'HIERARCHY'"},
  };
}

TEST(BvhParse, EachMalformedFileGivesOneErrorNamingFileAndLine) {
  for (const auto& bad : bad_cases()) {
    try {
      parse_bvh(bad.text, "dir/bad.bvh");
      ADD_FAILURE() << bad.name << ": parsed without an error";
    } catch (const core::UserError& e) {
      const std::string message = e.what();
      const std::string prefix = "dir/bad.bvh:" + std::to_string(bad.line) + ": ";
      EXPECT_EQ(message.rfind(prefix, 0), 0u) << bad.name << ": " << message;
      EXPECT_NE(message.find(bad.fragment), std::string::npos) << bad.name << ": " << message;
      EXPECT_EQ(message.find('\n'), std::string::npos) << bad.name << ": " << message;
    }
  }
}

TEST(BvhParse, CrlfAndMixedLineEndsReadTheSame) {
  std::string crlf;
  for (const char c : std::string(kTinyBvh)) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  const auto a = parse_bvh(kTinyBvh, "a");
  const auto b = parse_bvh(crlf, "b");
  EXPECT_EQ(a.values, b.values);
  EXPECT_EQ(a.skeleton.joints.size(), b.skeleton.joints.size());
  // A bad value in the CRLF file is still reported on its line.
  try {
    parse_bvh(replace_line(crlf, 25, "1 2 3 90 90 0 90 90 0 90 x 0\r"), "c.bvh");
    ADD_FAILURE();
  } catch (const core::UserError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("c.bvh:25: value 11 of frame 2 is not a number", 0), 0u) << e.what();
  }
}

TEST(BvhImport, MalformedFileInADirectoryIsNamed) {
  TempDir dir;
  dir.write("good.bvh", read_text(kCmuDir / "131_01.bvh"));
  const fs::path bad = dir.write("bad.bvh", replace_line(read_text(kCmuDir / "131_03.bvh"), 500, "1 2 3"));
  BvhImportOptions options;
  options.topology = "smpl24";
  options.joint_map = "builtin";
  options.label = "x";
  try {
    import_bvh_files({dir.path() / "bad.bvh", dir.path() / "good.bvh"}, options);
    ADD_FAILURE();
  } catch (const core::UserError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(bad.string() + ":500: frame 313 has 3 values, expected 96", 0), 0u)
        << e.what();
  }
}

// ---- Random corruption: cut, flipped and dropped bytes and lines. Every outcome is a clean UserError naming the
// file, or a dataset that validates with finite coordinates; never a crash or another exception.

std::string mutate(const std::string& text, std::mt19937& random) {
  std::string out = text;
  const auto pick = [&random](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(random); };
  static const std::string kBytes = "0123456789.-+eE \t\r\n{}#xX:nanif\0\xff";
  const int edits = 1 + static_cast<int>(pick(4));
  for (int e = 0; e < edits && !out.empty(); ++e) {
    switch (pick(6)) {
      case 0: out.resize(pick(out.size())); break;                                    // truncate
      case 1: out[pick(out.size())] = kBytes[pick(kBytes.size())]; break;             // flip to a telling byte
      case 2: out[pick(out.size())] = static_cast<char>(pick(256)); break;            // flip to any byte
      case 3: {                                                                       // cut a run of bytes
        const std::size_t at = pick(out.size());
        out.erase(at, 1 + pick(std::min<std::size_t>(64, out.size() - at)));
        break;
      }
      case 4: case 5: {                                                               // drop or duplicate a line
        const std::size_t at = out.find('\n', pick(out.size()));
        if (at == std::string::npos) break;
        const std::size_t end = out.find('\n', at + 1);
        const std::string line = out.substr(at, end == std::string::npos ? std::string::npos : end - at);
        if (pick(2) == 0) out.erase(at, line.size()); else out.insert(at, line);
        break;
      }
    }
  }
  return out;
}

TEST(BvhFuzz, CorruptedFilesGiveCleanErrorsOrValidData) {
  // The CMU hierarchy with its first 20 frames (a small file, so thousands of variants run in seconds), a whole CMU
  // file now and then, and the tiny file.
  const std::string cmu = read_text(kCmuDir / "131_01.bvh");
  const std::string tiny = kTinyBvh;
  const std::size_t frame_time = cmu.find("Frame Time:");
  std::size_t rows_end = cmu.find('\n', frame_time) + 1;
  for (int f = 0; f < 20; ++f) rows_end = cmu.find('\n', rows_end) + 1;
  const std::string small_cmu =
      cmu.substr(0, cmu.find("Frames:")) + "Frames: 20\r\n" + cmu.substr(frame_time, rows_end - frame_time);
  ASSERT_EQ(parse_bvh(small_cmu, "small").frames, 20);

  TempDir dir;
  const fs::path file = dir.path() / "fuzz.bvh";
  BvhImportOptions cmu_options;
  cmu_options.topology = "smpl24";
  cmu_options.joint_map = "builtin";
  cmu_options.scale = kCmuToMetres;
  cmu_options.label = "x";
  cmu_options.fps = 30;
  BvhImportOptions tiny_options = cmu_options;
  std::string map_text;
  for (const auto& name : topology("vibe18").joint_names) map_text += name + ": [Root, B_End, A]\n";
  tiny_options.topology = "vibe18";
  tiny_options.joint_map = dir.write("map.yaml", map_text).string();

  std::mt19937 random(20261124);
  const std::regex located("^" + std::regex_replace(file.string(), std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") +
                           "(:[0-9]+)?: [^\n]+$");
  int errors = 0;
  int valid = 0;
  const auto start = std::chrono::steady_clock::now();
  constexpr int kRounds = 3000;
  for (int round = 0; round < kRounds; ++round) {
    const bool use_tiny = round % 10 == 9;
    const std::string& source = use_tiny ? tiny : (round % 100 == 0 ? cmu : small_cmu);
    const std::string text = mutate(source, random);
    std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
    try {
      const auto dataset = import_bvh_files({file}, use_tiny ? tiny_options : cmu_options);
      dataset.validate("fuzz");
      for (const float value : dataset.joints) ASSERT_TRUE(std::isfinite(value)) << "round " << round;
      ++valid;
    } catch (const core::UserError& e) {
      ASSERT_TRUE(std::regex_match(std::string(e.what()), located)) << "round " << round << ": " << e.what();
      ++errors;
    } catch (const std::exception& e) {
      FAIL() << "round " << round << ": not a UserError: " << e.what();
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("fuzz: %d variants, %d clean errors, %d valid datasets, %.1f s\n", kRounds, errors, valid, seconds);
  EXPECT_GT(errors, kRounds / 4);
  EXPECT_GT(valid, 10);
}

}  // namespace
}  // namespace skelaug::data
