// The sample section's reader: every key lands in the settings.
#include "skelaug/sampling/sample_config.h"

#include <gtest/gtest.h>

#include "skelaug/core/config.h"
#include "skelaug/core/config_schema.h"

namespace skelaug::sampling {
namespace {

TEST(SampleSettings, ReadEveryKeyOfTheSection) {
  core::Schema schema;
  add_sample_config_keys(schema);
  const auto settings = sample_settings(core::parse_config(
      schema, "{}", "test", "test",
      {"sample.ddim_steps=50", "sample.eta=0.5", "sample.dropout=0.2", "sample.guidance=2.5", "sample.batch_size=7",
       "sample.seed=13", "sample.weights=model", "sample.exemplar_split=test"}));
  EXPECT_EQ(settings.generation.sampler.ddim_steps, 50);
  EXPECT_EQ(settings.generation.sampler.eta, 0.5);
  EXPECT_EQ(settings.generation.dropout, 0.2);
  EXPECT_EQ(settings.generation.guidance, 2.5);
  EXPECT_EQ(settings.batch_size, 7);
  EXPECT_EQ(settings.seed, 13u);
  EXPECT_EQ(settings.weights, "model");
  EXPECT_EQ(settings.exemplar_split, "test");
}

}  // namespace
}  // namespace skelaug::sampling
