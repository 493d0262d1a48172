// The sample section's reader: every key lands in the settings.
#include "skelaug/sampling/sample_config.h"

#include <gtest/gtest.h>

#include "skelaug/core/config.h"
#include "skelaug/core/config_schema.h"
#include "skelaug/core/error.h"

namespace skelaug::sampling {
namespace {

TEST(SampleSettings, ReadEveryKeyOfTheSection) {
  core::Schema schema;
  add_sample_config_keys(schema);
  const auto settings = sample_settings(core::parse_config(
      schema, "{}", "test", "test",
      {"sample.ddim_steps=50", "sample.eta=0.5", "sample.dropout=0.2", "sample.guidance=2.5", "sample.batch_size=7",
       "sample.seed=13", "sample.weights=model", "sample.exemplar_split=test",
       "sample.condition_every_step=true", "sample.dropout_shared_over_frames=true"}));
  EXPECT_EQ(settings.generation.sampler.ddim_steps, 50);
  EXPECT_EQ(settings.generation.sampler.eta, 0.5);
  EXPECT_EQ(settings.generation.dropout, 0.2);
  EXPECT_EQ(settings.generation.guidance, 2.5);
  EXPECT_EQ(settings.batch_size, 7);
  EXPECT_EQ(settings.seed, 13u);
  EXPECT_EQ(settings.weights, "model");
  EXPECT_EQ(settings.exemplar_split, "test");
  EXPECT_TRUE(settings.generation.condition_every_step);
  EXPECT_TRUE(settings.generation.dropout_shared_over_frames);
}

SampleSettings read(const std::vector<std::string>& overrides) {
  core::Schema schema;
  add_sample_config_keys(schema);
  return sample_settings(core::parse_config(schema, "{}", "test", "test", overrides));
}

TEST(SampleSettings, ReadTheRefinementModule) {
  const auto off = read({}).refine;
  EXPECT_FALSE(off.filters());
  EXPECT_EQ(off.max_rounds, 0);
  EXPECT_EQ(off.max_draws, 1);
  const auto on = read({"sample.refine.max_deviation=0.3", "sample.refine.min_deviation=0.01",
                        "sample.refine.recognizer=runs/r", "sample.refine.min_confidence=0.4",
                        "sample.refine.max_bone_error=0.02", "sample.refine.max_jitter=90",
                        "sample.refine.renoise_step=250", "sample.refine.max_rounds=2", "sample.refine.max_draws=3"})
                      .refine;
  EXPECT_TRUE(on.filters());
  EXPECT_EQ(on.max_deviation, 0.3);
  EXPECT_EQ(on.min_deviation, 0.01);
  EXPECT_EQ(on.recognizer, "runs/r");
  EXPECT_EQ(on.min_confidence, 0.4);
  EXPECT_FALSE(on.auto_confidence);
  EXPECT_EQ(on.max_bone_error, 0.02);
  EXPECT_EQ(on.max_jitter, 90);
  EXPECT_EQ(on.renoise_step, 250);
  EXPECT_EQ(on.max_rounds, 2);
  EXPECT_EQ(on.max_draws, 3);
  const auto automatic = read({"sample.refine.recognizer=runs/r", "sample.refine.min_confidence=auto",
                               "sample.refine.confidence_quantile=0.1"})
                             .refine;
  EXPECT_TRUE(automatic.auto_confidence);
  EXPECT_EQ(automatic.confidence_quantile, 0.1);
}

TEST(SampleSettings, RefuseAConfidenceThatIsNoNumberOrHasNoRecogniser) {
  for (const auto& [overrides, expected] :
       std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"sample.refine.recognizer=r", "sample.refine.min_confidence=high"}, "is neither a number in [0, 1] nor auto"},
           {{"sample.refine.recognizer=r", "sample.refine.min_confidence=1.5"}, "is neither a number in [0, 1] nor auto"},
           {{"sample.refine.min_confidence=auto"}, "needs sample.refine.recognizer"}}) {
    try {
      read(overrides);
      ADD_FAILURE() << "expected a UserError for " << overrides.back();
    } catch (const core::UserError& error) {
      EXPECT_NE(std::string(error.what()).find(expected), std::string::npos) << error.what();
    }
  }
}

}  // namespace
}  // namespace skelaug::sampling
