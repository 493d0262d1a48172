// The evaluate section's reader: every key lands in the settings.
#include "skelaug/evaluation/evaluation_config.h"

#include <gtest/gtest.h>

#include "skelaug/core/config.h"
#include "skelaug/core/config_schema.h"

namespace skelaug::evaluation {
namespace {

TEST(EvaluateSettings, ReadEveryKeyOfTheSection) {
  core::Schema schema;
  add_evaluate_config_keys(schema);
  const auto settings = evaluate_settings(core::parse_config(
      schema, "{}", "test", "test",
      {"evaluate.repetitions=3", "evaluate.diversity_pairs=40", "evaluate.multimodality_pairs=5", "evaluate.seed=8",
       "evaluate.real_split=test"}));
  EXPECT_EQ(settings.protocol.repetitions, 3);
  EXPECT_EQ(settings.protocol.diversity_pairs, 40);
  EXPECT_EQ(settings.protocol.multimodality_pairs, 5);
  EXPECT_EQ(settings.protocol.seed, 8u);
  EXPECT_EQ(settings.real_split, "test");
}

}  // namespace
}  // namespace skelaug::evaluation
