// The train section's reader: every key lands in the options, the learning-rate schedules, the per-rank batch.
#include "skelaug/training/training_config.h"

#include <gtest/gtest.h>

#include <cmath>

#include "skelaug/core/config.h"
#include "skelaug/core/config_schema.h"
#include "skelaug/core/error.h"
#include "skelaug/core/run_directory.h"

namespace skelaug::training {
namespace {

core::Config config(const std::vector<std::string>& overrides) {
  core::Schema schema;
  core::add_run_config_keys(schema);
  add_training_config_keys(schema);
  return core::parse_config(schema, "{}", "test", "test", overrides);
}

TEST(TrainOptions, ReadsEveryKeyOfTheSection) {
  const auto options = train_options(config({"train.epochs=7", "train.max_steps=40", "train.accumulation=2",
                                             "train.checkpoint_every=5", "train.keep_checkpoints=4",
                                             "train.resume=never", "train.timeline=true", "train.precision=bf16",
                                             "train.bucket_cap_mb=2", "train.first_bucket_cap_mb=0.5",
                                             "train.batch_size=12", "train.weight_decay=0.01", "train.lr=0.2",
                                             "run.seed=11", "run.progress_interval_s=3", "train.nonfinite=skip",
                                             "train.nonfinite_max_skips=4"}));
  EXPECT_EQ(options.trainer.epochs, 7);
  EXPECT_EQ(options.trainer.max_steps, 40);
  EXPECT_EQ(options.trainer.accumulation, 2);
  EXPECT_EQ(options.trainer.checkpoint_every, 5);
  EXPECT_EQ(options.trainer.keep_checkpoints, 4);
  EXPECT_EQ(options.trainer.resume, ResumeMode::kNever);
  EXPECT_TRUE(options.trainer.timeline);
  EXPECT_EQ(options.trainer.precision, Precision::kBFloat16);
  EXPECT_EQ(options.trainer.reducer.bucket_cap_bytes, 2 * 1048576);
  EXPECT_EQ(options.trainer.reducer.first_bucket_cap_bytes, 1048576 / 2);
  EXPECT_EQ(options.trainer.seed, 11u);
  EXPECT_EQ(options.trainer.progress_interval_s, 3.0);
  EXPECT_EQ(options.batch_size, 12);
  EXPECT_EQ(options.weight_decay, 0.01);
  EXPECT_EQ(options.learning_rate.base, 0.2);
  EXPECT_EQ(options.trainer.nonfinite, NonFinitePolicy::kSkip);
  EXPECT_EQ(options.trainer.max_nonfinite_skips, 4);
}

TEST(LearningRateSchedule, StepDecaysEveryNEpochsAndCosineAnnealsToZero) {
  const auto step = train_options(config({"train.lr=1", "train.lr_decay_every_epochs=3", "train.lr_decay=0.5"}));
  EXPECT_EQ(step.learning_rate.at(0, 0.9), 1.0);
  EXPECT_EQ(step.learning_rate.at(2, 0.0), 1.0);
  EXPECT_EQ(step.learning_rate.at(3, 0.0), 0.5);
  EXPECT_EQ(step.learning_rate.at(7, 0.0), 0.25);
  const auto constant = train_options(config({"train.lr=0.3"}));
  EXPECT_EQ(constant.learning_rate.at(100, 1.0), 0.3);
  const auto cosine = train_options(config({"train.lr=2", "train.lr_schedule=cosine"}));
  EXPECT_DOUBLE_EQ(cosine.learning_rate.at(0, 0.0), 2.0);
  EXPECT_NEAR(cosine.learning_rate.at(0, 0.5), 1.0, 1e-12);
  EXPECT_NEAR(cosine.learning_rate.at(0, 1.0), 0.0, 1e-12);
  EXPECT_NEAR(cosine.learning_rate.at(0, 1.5), 0.0, 1e-12);  // clamped
}

TEST(TrainOptions, ProgressCountsOptimiserStepsOfTheWholeRun) {
  const auto options = train_options(config({"train.epochs=4", "train.accumulation=2"}));
  // 5 loader batches per epoch = 3 optimiser steps (the last one short): 12 steps in the run.
  EXPECT_DOUBLE_EQ(options.progress({1, 0, 3}, 5), 3.0 / 12.0);
  const auto capped = train_options(config({"train.epochs=4", "train.max_steps=6"}));
  EXPECT_DOUBLE_EQ(capped.progress({0, 0, 3}, 5), 0.5);
}

TEST(TrainOptions, PerRankBatchSplitsTheGlobalBatchOrNamesTheKey) {
  const auto options = train_options(config({"train.batch_size=24", "train.accumulation=2"}));
  EXPECT_EQ(options.per_rank_batch(1), 12);
  EXPECT_EQ(options.per_rank_batch(3), 4);
  try {
    options.per_rank_batch(5);
    FAIL() << "expected a UserError";
  } catch (const core::UserError& error) {
    EXPECT_NE(std::string(error.what()).find("train.batch_size: 24 clips do not split evenly over 5 rank(s)"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace skelaug::training
