#include "skelaug/evaluation/evaluation_config.h"

#include "skelaug/core/config.h"
#include "skelaug/core/config_schema.h"

namespace skelaug::evaluation {

void add_evaluate_config_keys(core::Schema& schema) {
  schema.add_int("evaluate.repetitions", 20, 1, 100000, "repetitions of the metric draws (the protocol's 20)")
      .add_int("evaluate.diversity_pairs", 200, 1, 1000000, "random pairs for diversity")
      .add_int("evaluate.multimodality_pairs", 20, 1, 1000000, "same-class pairs per class for multimodality")
      .add_int("evaluate.seed", 0, 0, 2147483647, "seed of the resamples and pair draws")
      .add_string("evaluate.real_split", "", "the split of the real file compared against; empty = every clip");
}

EvaluateSettings evaluate_settings(const core::Config& config) {
  EvaluateSettings settings;
  settings.protocol.repetitions = static_cast<int>(config.get_int("evaluate.repetitions"));
  settings.protocol.diversity_pairs = config.get_int("evaluate.diversity_pairs");
  settings.protocol.multimodality_pairs = config.get_int("evaluate.multimodality_pairs");
  settings.protocol.seed = static_cast<std::uint64_t>(config.get_int("evaluate.seed"));
  settings.real_split = config.get_string("evaluate.real_split");
  return settings;
}

}  // namespace skelaug::evaluation
