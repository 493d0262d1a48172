// The procedural demo dataset: determinism, counts and split, kinematic consistency, validity.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "skelaug/core/error.h"
#include "skelaug/data/dataset_io.h"
#include "skelaug/data/demo_dataset.h"
#include "skelaug/data/topology.h"

namespace skelaug::data {
namespace {

DemoOptions small_options(std::uint64_t seed = 7) {
  DemoOptions options;
  options.seed = seed;
  options.clips_per_class = 6;
  options.subjects = 3;
  return options;
}

bool same_dataset(const SkeletonDataset& a, const SkeletonDataset& b) {
  return a.topology == b.topology && a.fps == b.fps && a.class_names == b.class_names && a.offsets == b.offsets &&
         a.labels == b.labels && a.subject == b.subject && a.split == b.split && a.source == b.source &&
         a.joints.size() == b.joints.size() &&
         std::memcmp(a.joints.data(), b.joints.data(), a.joints.size() * sizeof(float)) == 0;
}

std::string file_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

double distance(const float* a, const float* b) {
  const double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
  return std::sqrt(dx * dx + dy * dy + dz * dz);
}

class TempDir {
 public:
  TempDir() : path_(std::filesystem::temp_directory_path() / ("skelaug-demo-test-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TEST(DemoDataset, SameSeedGivesTheSameDatasetAndTheSameFileBytes) {
  const auto first = make_demo_dataset(small_options());
  const auto second = make_demo_dataset(small_options());
  EXPECT_TRUE(same_dataset(first, second));

  TempDir dir;
  save_dataset(dir.path() / "a.npz", first);
  save_dataset(dir.path() / "b.npz", second);
  const auto bytes = file_bytes(dir.path() / "a.npz");
  EXPECT_FALSE(bytes.empty());
  EXPECT_EQ(bytes, file_bytes(dir.path() / "b.npz"));
}

TEST(DemoDataset, DifferentSeedGivesADifferentDataset) {
  EXPECT_FALSE(same_dataset(make_demo_dataset(small_options(7)), make_demo_dataset(small_options(8))));
}

TEST(DemoDataset, AClipDoesNotDependOnHowManyClipsAreMade) {
  // Each clip has its own random stream, so a larger dataset starts with the same clips.
  auto more = small_options();
  more.clips_per_class = 9;
  const auto small = make_demo_dataset(small_options());
  const auto large = make_demo_dataset(more);
  ASSERT_EQ(small.class_names, large.class_names);
  const std::size_t values = static_cast<std::size_t>(small.frames(0)) * 22 * 3;
  ASSERT_EQ(small.frames(0), large.frames(0));
  EXPECT_EQ(std::memcmp(small.clip_data(0), large.clip_data(0), values * sizeof(float)), 0);
}

TEST(DemoDataset, HasTheRequiredActionsClipsPerClassAndSubjectWiseSplit) {
  DemoOptions options;
  options.clips_per_class = 10;
  options.subjects = 5;
  const auto dataset = make_demo_dataset(options);
  const std::vector<std::string> required = {"walk",      "run",        "jump",  "squat", "wave_left", "wave_right",
                                             "punch",     "kick",       "bow",   "clap",  "sit_down",  "stand_up"};
  for (const auto& name : required) {
    EXPECT_NE(std::find(dataset.class_names.begin(), dataset.class_names.end(), name), dataset.class_names.end())
        << name;
  }
  EXPECT_EQ(dataset.class_names, demo_class_names());
  const std::size_t classes = dataset.class_names.size();
  ASSERT_EQ(dataset.size(), classes * 10);
  ASSERT_EQ(dataset.subject.size(), dataset.size());
  ASSERT_EQ(dataset.split.size(), dataset.size());

  // Every class has 10 clips, 2 from each of the 5 subjects; subjects 0-3 are "train", subject 4 "test".
  std::vector<std::vector<int>> per_class_subject(classes, std::vector<int>(5, 0));
  for (std::size_t i = 0; i < dataset.size(); ++i) {
    ASSERT_GE(dataset.subject[i], 0);
    ASSERT_LT(dataset.subject[i], 5);
    ++per_class_subject[static_cast<std::size_t>(dataset.labels[i])][static_cast<std::size_t>(dataset.subject[i])];
    EXPECT_EQ(dataset.split[i], dataset.subject[i] < 4 ? "train" : "test") << "clip " << i;
    EXPECT_FALSE(dataset.source[i].empty());
  }
  for (const auto& counts : per_class_subject) EXPECT_EQ(counts, std::vector<int>(5, 2));
}

TEST(DemoDataset, TrainSubjectsAreSeventyPercentWithATestSubjectLeft) {
  EXPECT_EQ(demo_train_subjects(10), 7);
  EXPECT_EQ(demo_train_subjects(5), 4);
  EXPECT_EQ(demo_train_subjects(2), 1);
  EXPECT_EQ(demo_train_subjects(1), 1);
}

TEST(DemoDataset, IsValidHml22At20FpsWithFiniteValuesAndClipLengthsInRange) {
  auto options = small_options();
  options.min_frames = 40;
  options.max_frames = 100;
  const auto dataset = make_demo_dataset(options);
  EXPECT_NO_THROW(dataset.validate("demo"));
  EXPECT_EQ(dataset.topology, "hml22");
  EXPECT_EQ(dataset.num_joints(), 22);
  EXPECT_EQ(dataset.fps, 20.0);
  std::set<std::int64_t> lengths;
  for (std::size_t i = 0; i < dataset.size(); ++i) {
    EXPECT_GE(dataset.frames(i), 40);
    EXPECT_LE(dataset.frames(i), 100);
    lengths.insert(dataset.frames(i));
  }
  EXPECT_GT(lengths.size(), 10u) << "clip lengths should vary";
  EXPECT_TRUE(std::all_of(dataset.joints.begin(), dataset.joints.end(), [](float v) { return std::isfinite(v); }));
}

// Forward kinematics places every joint at a fixed offset from its parent, so bone lengths may differ within a clip
// only by float32 rounding of the coordinates (|x| < 10 m: under 1e-6 m per coordinate); 1e-5 m allows for that.
TEST(DemoDataset, BoneLengthsAreConstantWithinAClipAndDifferBetweenSubjects) {
  constexpr double kTolerance = 1e-5;
  const auto dataset = make_demo_dataset(small_options());
  const auto edges = topology("hml22").edges();
  const int J = dataset.num_joints();
  std::vector<std::vector<double>> subject_lengths(3);  // the first clip seen of each subject
  for (std::size_t i = 0; i < dataset.size(); ++i) {
    const float* clip = dataset.clip_data(i);
    std::vector<double> first(edges.size());
    for (std::int64_t f = 0; f < dataset.frames(i); ++f) {
      const float* frame = clip + f * J * 3;
      for (std::size_t e = 0; e < edges.size(); ++e) {
        const double length = distance(frame + edges[e].first * 3, frame + edges[e].second * 3);
        if (f == 0) {
          first[e] = length;
          EXPECT_GT(length, 0.02) << "clip " << i << " bone " << e;
        } else {
          ASSERT_NEAR(length, first[e], kTolerance) << "clip " << i << " frame " << f << " bone " << e;
        }
      }
    }
    auto& known = subject_lengths[static_cast<std::size_t>(dataset.subject[i])];
    if (known.empty()) {
      known = first;
    } else {
      for (std::size_t e = 0; e < edges.size(); ++e) EXPECT_NEAR(first[e], known[e], kTolerance) << "same subject";
    }
  }
  // Every bone differs between at least two subjects by more than 2 mm.
  for (std::size_t e = 0; e < edges.size(); ++e) {
    double low = 1e9, high = -1e9;
    for (const auto& lengths : subject_lengths) {
      low = std::min(low, lengths[e]);
      high = std::max(high, lengths[e]);
    }
    EXPECT_GT(high - low, 2e-3) << "bone " << e;
  }
}

TEST(DemoDataset, FeetTouchTheGroundAndClipsStartUpright) {
  const auto dataset = make_demo_dataset(small_options());
  const int J = dataset.num_joints();
  const auto& hml22 = topology("hml22");
  const int head = hml22.index_of("head"), pelvis = hml22.index_of("pelvis");
  const std::vector<int> feet = {hml22.index_of("left_ankle"), hml22.index_of("right_ankle"),
                                 hml22.index_of("left_foot"), hml22.index_of("right_foot")};
  for (std::size_t i = 0; i < dataset.size(); ++i) {
    double lowest = 1e9;
    const float* clip = dataset.clip_data(i);
    for (std::int64_t f = 0; f < dataset.frames(i); ++f) {
      const float* frame = clip + f * J * 3;
      for (const int j : feet) lowest = std::min(lowest, static_cast<double>(frame[j * 3 + 1]));
    }
    // Every action starts upright (standing, or seated for stand_up); bows and pick-ups may later bring the head
    // below the hips.
    EXPECT_GT(clip[head * 3 + 1], clip[pelvis * 3 + 1] + 0.3) << "clip " << i;
    EXPECT_NEAR(lowest, 0.0, 0.03) << "clip " << i << " (" << dataset.class_names[dataset.labels[i]] << ")";
  }
}

TEST(DemoDataset, RejectsBadOptions) {
  const auto expect_user_error = [](DemoOptions options) {
    EXPECT_THROW(make_demo_dataset(options), core::UserError);
  };
  auto options = small_options();
  options.clips_per_class = 0;
  expect_user_error(options);
  options = small_options();
  options.subjects = 0;
  expect_user_error(options);
  options = small_options();
  options.min_frames = 1;
  expect_user_error(options);
  options = small_options();
  options.min_frames = 50;
  options.max_frames = 40;
  expect_user_error(options);
  options = small_options();
  options.noise = -1;
  expect_user_error(options);
}

TEST(DemoDataset, ZeroNoiseStillGivesValidMotion) {
  auto options = small_options();
  options.noise = 0;
  const auto dataset = make_demo_dataset(options);
  EXPECT_NO_THROW(dataset.validate("demo"));
  EXPECT_FALSE(same_dataset(dataset, make_demo_dataset(small_options())));
}

}  // namespace
}  // namespace skelaug::data
