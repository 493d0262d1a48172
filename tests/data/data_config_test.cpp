// The data section's reader: every key lands in the options.
#include "skelaug/data/data_config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "scratch_directory_test.h"

#include "skelaug/core/config.h"
#include "skelaug/core/config_schema.h"
#include "skelaug/core/error.h"
#include "skelaug/core/run_directory.h"
#include "skelaug/data/dataset_io.h"
#include "skelaug/data/demo_dataset.h"
#include "skelaug/data/transforms.h"

namespace skelaug::data {
namespace {

core::Config config(const std::vector<std::string>& overrides) {
  core::Schema schema;
  core::add_run_config_keys(schema);
  add_data_config_keys(schema);
  return core::parse_config(schema, "{}", "test", "test", overrides);
}

TEST(DataOptions, ReadEveryKeyOfTheSection) {
  const auto options = data_options(config(
      {"data.train=a.npz", "data.train_split=x", "data.fraction=0.25", "data.extra=[b.npz, c.npz]",
       "data.extra_ratio=2", "data.real_share=0.5", "data.extra_by_class=true", "data.extra_only=true", "data.test=d.npz", "data.test_split=y", "run.seed=9", "data.clip_length=30",
       "data.length_mode=centre_crop", "data.workers=3", "data.augment.rotation_deg=5", "data.augment.scale=0.1",
       "data.augment.jitter_std=0.01", "data.augment.mirror_probability=0.5", "data.augment.speed=0.2"}));
  EXPECT_EQ(options.training_file(), "a.npz");
  EXPECT_EQ(options.train_split, "x");
  EXPECT_EQ(options.fraction, 0.25);
  EXPECT_EQ(options.extra, (std::vector<std::string>{"b.npz", "c.npz"}));
  EXPECT_EQ(options.extra_ratio, 2.0);
  EXPECT_EQ(options.real_share, 0.5);
  EXPECT_TRUE(options.extra_by_class);
  EXPECT_TRUE(options.extra_only);
  EXPECT_EQ(options.test, "d.npz");
  EXPECT_EQ(options.test_split, "y");
  EXPECT_EQ(options.seed, 9u);
  EXPECT_EQ(options.loader.seed, 9u);
  EXPECT_EQ(options.loader.clip_length, 30);
  EXPECT_EQ(options.loader.length_mode, LengthMode::kCentreCrop);
  EXPECT_EQ(options.loader.workers, 3);
  EXPECT_EQ(options.loader.augment.rotation_deg, 5.0);
  EXPECT_EQ(options.loader.augment.scale, 0.1);
  EXPECT_EQ(options.loader.augment.jitter_std, 0.01);
  EXPECT_EQ(options.loader.augment.mirror_probability, 0.5);
  EXPECT_EQ(options.loader.augment.speed, 0.2);
}

TEST(DataOptions, AMissingTrainingFileNamesTheKey) {
  const auto options = data_options(config({}));
  EXPECT_TRUE(options.extra.empty());
  try {
    options.training_file();
    FAIL() << "expected a UserError";
  } catch (const core::UserError& error) {
    EXPECT_STREQ(error.what(), "data.train: no training dataset set (data.train=FILE.npz)");
  }
}

class HeldOutClips : public testing::ScratchDirectoryTest {};

TEST_F(HeldOutClips, UnusedOnlyLeavesOutExactlyTheClipsTheRunTrainsOn) {
  const auto file = (directory_ / "demo.npz").string();
  save_dataset(file, make_demo_dataset(DemoOptions{}));
  const auto options = data_options(config({"data.train=" + file, "data.train_split=train", "data.fraction=0.25",
                                            "run.seed=4", "data.test_split=train", "data.test_unused_only=true"}));
  EXPECT_TRUE(options.test_unused_only);
  const auto validation = load_test_set(options);
  const auto training = training_clips(*validation.dataset, options);
  const auto split = subset_indices(*validation.dataset, "train", 1.0, 0);
  std::set<std::int64_t> both(training.begin(), training.end());
  for (const auto clip : validation.clips) EXPECT_TRUE(both.insert(clip).second) << "clip " << clip << " in both";
  EXPECT_EQ(both, std::set<std::int64_t>(split.begin(), split.end()));  // together: the whole training split
  EXPECT_GT(validation.clips.size(), 2 * training.size());

  // Every clip used for training: nothing left, said in one line.
  auto everything = options;
  everything.fraction = 1.0;
  try {
    load_test_set(everything);
    FAIL() << "expected a UserError";
  } catch (const core::UserError& error) {
    EXPECT_NE(std::string(error.what()).find("data.test_unused_only"), std::string::npos) << error.what();
  }
}

class TrainingSetMix : public testing::ScratchDirectoryTest {};

TEST_F(TrainingSetMix, RealShareRepeatsTheRealClipsToThatShareOfTheEpoch) {
  const auto real = (directory_ / "real.npz").string(), extra = (directory_ / "extra.npz").string();
  save_dataset(real, make_demo_dataset(DemoOptions{}));
  auto generated_options = DemoOptions{};
  generated_options.seed = 99;
  save_dataset(extra, make_demo_dataset(generated_options));
  auto load = [&](const std::string& share, const std::string& ratio) {
    return load_training_set(data_options(config({"data.train=" + real, "data.fraction=0.1", "run.seed=3",
                                                  "data.extra=[" + extra + "]", "data.extra_ratio=" + ratio,
                                                  "data.real_share=" + share})));
  };
  const auto once = load("0", "2");
  const auto n = once.real_clips;
  ASSERT_GT(n, 0);
  EXPECT_EQ(once.real_copies, 1);
  EXPECT_EQ(once.extra_clips, 2 * n);
  EXPECT_EQ(static_cast<std::int64_t>(once.clips.size()), 3 * n);  // a real share of 1/3

  for (const auto& [share, copies] : std::vector<std::pair<std::string, std::int64_t>>{{"0.5", 2}, {"0.8", 8}}) {
    const auto mixed = load(share, "2");
    EXPECT_EQ(mixed.real_copies, copies) << share;
    EXPECT_EQ(mixed.real_clips, n);
    EXPECT_EQ(mixed.extra_clips, 2 * n);
    ASSERT_EQ(static_cast<std::int64_t>(mixed.clips.size()), (copies + 2) * n) << share;
    // The same real clips and extra draw as without the share; then the further copies of the real ones.
    EXPECT_TRUE(std::equal(once.clips.begin(), once.clips.end(), mixed.clips.begin()));
    for (std::int64_t i = 3 * n; i < static_cast<std::int64_t>(mixed.clips.size()); ++i) {
      EXPECT_EQ(mixed.clips[i], mixed.clips[(i - 3 * n) % n]) << share << " at " << i;
    }
  }
  // A share below what the draw already gives keeps each real clip once (at least one copy).
  EXPECT_EQ(load("0.1", "2").real_copies, 1);
  // Without extra clips there is nothing to balance: the real clips once.
  const auto alone = load_training_set(data_options(config({"data.train=" + real, "data.fraction=0.1",
                                                            "data.real_share=0.5"})));
  EXPECT_EQ(alone.real_copies, 1);
  EXPECT_EQ(static_cast<std::int64_t>(alone.clips.size()), alone.real_clips);
}

TEST_F(TrainingSetMix, ByClassTheExtraClipsKeepTheRealClassProportions) {
  const auto real = (directory_ / "real.npz").string(), extra = (directory_ / "extra.npz").string();
  const auto real_set = make_demo_dataset(DemoOptions{});
  save_dataset(real, real_set);
  // A generated set as refinement leaves it: class 0 with 40 clips, class 1 with 2, class 2 with none, the rest 10.
  auto generated_options = DemoOptions{};
  generated_options.seed = 99;
  const auto generated = make_demo_dataset(generated_options);
  SkeletonDataset uneven;
  uneven.topology = generated.topology;
  uneven.fps = generated.fps;
  uneven.class_names = generated.class_names;
  std::vector<int> kept(generated.class_names.size(), 0);
  const std::vector<int> wanted_per_class = {40, 2, 0};
  for (std::size_t i = 0; i < generated.size(); ++i) {
    const auto label = static_cast<std::size_t>(generated.labels[i]);
    if (kept[label] < (label < wanted_per_class.size() ? wanted_per_class[label] : 10)) {
      uneven.add_clip(generated.clip_data(i), generated.frames(i), generated.labels[i], generated.info(i));
      ++kept[label];
    }
  }
  save_dataset(extra, uneven);
  auto load = [&](bool by_class) {
    return load_training_set(data_options(config({"data.train=" + real, "data.fraction=0.1", "run.seed=3",
                                                  "data.extra=[" + extra + "]", "data.extra_ratio=3",
                                                  std::string("data.extra_by_class=") + (by_class ? "true" : "false")})));
  };
  const auto classes = real_set.class_names.size();
  const auto count_by_class = [&](const TrainingSet& set, std::int64_t begin, std::int64_t end) {
    std::vector<std::int64_t> counts(classes, 0);
    for (auto i = begin; i < end; ++i) ++counts[static_cast<std::size_t>(set.dataset->labels[static_cast<std::size_t>(set.clips[static_cast<std::size_t>(i)])])];
    return counts;
  };

  const auto balanced = load(true);
  const auto real_counts = count_by_class(balanced, 0, balanced.real_clips);
  const auto extra_counts = count_by_class(balanced, balanced.real_clips, static_cast<std::int64_t>(balanced.clips.size()));
  for (std::size_t c = 0; c < classes; ++c) {
    ASSERT_GT(real_counts[c], 0) << c;
    EXPECT_EQ(extra_counts[c], c == 2 ? 0 : 3 * real_counts[c]) << "class " << c;
  }
  EXPECT_EQ(balanced.classes_without_extra, std::vector<std::string>{real_set.class_names[2]});
  // Class 1's two clips are repeated in whole passes: each as often as the other.
  std::map<std::int64_t, int> uses;
  for (auto i = balanced.real_clips; i < static_cast<std::int64_t>(balanced.clips.size()); ++i) {
    if (balanced.dataset->labels[static_cast<std::size_t>(balanced.clips[static_cast<std::size_t>(i)])] == 1) {
      ++uses[balanced.clips[static_cast<std::size_t>(i)]];
    }
  }
  ASSERT_EQ(uses.size(), 2u);
  EXPECT_LE(std::abs(uses.begin()->second - uses.rbegin()->second), 1);

  // Without it the draw follows the generated set's proportions: class 0 far above its real share, class 2 absent.
  const auto plain = load(false);
  EXPECT_TRUE(plain.classes_without_extra.empty());
  const auto plain_counts = count_by_class(plain, plain.real_clips, static_cast<std::int64_t>(plain.clips.size()));
  EXPECT_EQ(plain.extra_clips, 3 * plain.real_clips);
  EXPECT_GT(plain_counts[0], 3 * real_counts[0]);
  EXPECT_EQ(plain_counts[2], 0);
}

TEST_F(TrainingSetMix, ExtraOnlyTrainsOnTheExtraClipsAndStillLeavesOutTheRealSubset) {
  const auto real = (directory_ / "real.npz").string(), extra = (directory_ / "extra.npz").string();
  save_dataset(real, make_demo_dataset(DemoOptions{}));
  auto generated_options = DemoOptions{};
  generated_options.seed = 99;
  const auto generated = make_demo_dataset(generated_options);
  save_dataset(extra, generated);
  const std::vector<std::string> cell{"data.train=" + real, "data.train_split=train", "data.fraction=0.1",
                                      "run.seed=3", "data.test_split=train", "data.test_unused_only=true"};
  auto with = [&](std::vector<std::string> more) {
    auto all = cell;
    all.insert(all.end(), more.begin(), more.end());
    return data_options(config(all));
  };
  const auto mixed = load_training_set(with({"data.extra=[" + extra + "]"}));
  const auto alone = with({"data.extra=[" + extra + "]", "data.extra_only=true"});
  const auto set = load_training_set(alone);
  EXPECT_EQ(set.real_clips, 0);
  EXPECT_EQ(set.extra_clips, static_cast<std::int64_t>(generated.size()));
  // Exactly the extra clips the mix appends after its real ones.
  EXPECT_EQ(set.clips, std::vector<std::int64_t>(mixed.clips.begin() + mixed.real_clips, mixed.clips.end()));
  // The held-out clips are still those the cell's real subset leaves out.
  EXPECT_EQ(load_test_set(alone).clips, load_test_set(with({})).clips);
  EXPECT_LT(load_test_set(alone).clips.size(), subset_indices(*set.dataset, "train", 1.0, 0).size());
  try {
    data_options(config({"data.train=" + real, "data.extra_only=true"}));
    FAIL() << "expected a UserError";
  } catch (const core::UserError& error) {
    EXPECT_EQ(std::string(error.what()).rfind("data.extra_only: ", 0), 0u) << error.what();
  }
}

TEST(DataOptions, ByClassNeedsARatio) {
  try {
    data_options(config({"data.extra_by_class=true"}));
    FAIL() << "expected a UserError";
  } catch (const core::UserError& error) {
    EXPECT_EQ(std::string(error.what()).rfind("data.extra_by_class: ", 0), 0u) << error.what();
    EXPECT_NE(std::string(error.what()).find("data.extra_ratio"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace skelaug::data
