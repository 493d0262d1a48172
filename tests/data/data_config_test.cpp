// The data section's reader: every key lands in the options.
#include "skelaug/data/data_config.h"

#include <gtest/gtest.h>

#include "skelaug/core/config.h"
#include "skelaug/core/config_schema.h"
#include "skelaug/core/error.h"
#include "skelaug/core/run_directory.h"

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
       "data.extra_ratio=2", "data.test=d.npz", "data.test_split=y", "run.seed=9", "data.clip_length=30",
       "data.length_mode=centre_crop", "data.workers=3", "data.augment.rotation_deg=5", "data.augment.scale=0.1",
       "data.augment.jitter_std=0.01", "data.augment.mirror_probability=0.5", "data.augment.speed=0.2"}));
  EXPECT_EQ(options.training_file(), "a.npz");
  EXPECT_EQ(options.train_split, "x");
  EXPECT_EQ(options.fraction, 0.25);
  EXPECT_EQ(options.extra, (std::vector<std::string>{"b.npz", "c.npz"}));
  EXPECT_EQ(options.extra_ratio, 2.0);
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

}  // namespace
}  // namespace skelaug::data
