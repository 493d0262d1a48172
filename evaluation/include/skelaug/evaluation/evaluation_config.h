#pragma once

#include <string>

#include "skelaug/evaluation/generation_evaluation.h"

namespace skelaug::core {
class Config;
class Schema;
}  // namespace skelaug::core

namespace skelaug::evaluation {

// The `evaluate` section: repetitions, pair counts and seed of the generation metrics, and the real split they compare
// against.
void add_evaluate_config_keys(core::Schema& schema);

struct EvaluateSettings {
  GenerationEvaluationOptions protocol;
  std::string real_split;  // "" = every clip of the real file
};

// The `evaluate` section.
EvaluateSettings evaluate_settings(const core::Config& config);

}  // namespace skelaug::evaluation
