// The data section's reader: every key lands in the options.
#include "skelaug/data/data_config.h"

#include <gtest/gtest.h>

#include <algorithm>
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
       "data.extra_ratio=2", "data.real_share=0.5", "data.test=d.npz", "data.test_split=y", "run.seed=9", "data.clip_length=30",
       "data.length_mode=centre_crop", "data.workers=3", "data.augment.rotation_deg=5", "data.augment.scale=0.1",
       "data.augment.jitter_std=0.01", "data.augment.mirror_probability=0.5", "data.augment.speed=0.2"}));
  EXPECT_EQ(options.training_file(), "a.npz");
  EXPECT_EQ(options.train_split, "x");
  EXPECT_EQ(options.fraction, 0.25);
  EXPECT_EQ(options.extra, (std::vector<std::string>{"b.npz", "c.npz"}));
  EXPECT_EQ(options.extra_ratio, 2.0);
  EXPECT_EQ(options.real_share, 0.5);
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

}  // namespace
}  // namespace skelaug::data
