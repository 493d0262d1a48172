#pragma once

#include <filesystem>
#include <string>

#include "skelaug/data/skeleton_loader.h"
#include "skelaug/evaluation/evaluation_config.h"
#include "skelaug/evaluation/generation_evaluation.h"
#include "skelaug/models/recognizer_config.h"

namespace skelaug::core {
class Config;
}  // namespace skelaug::core

namespace skelaug::evaluation {

// What `skelaug evaluate` does: the generation metrics of a generated set against a real one through a trained
// feature recogniser.
struct GeneratedSetEvaluationOptions {
  // From the feature recogniser's run config: its network, and how its training prepared clips (the data section's
  // clip length and length mode), so that both sets are read exactly as it learnt to read clips.
  models::RecognizerSettings recognizer;
  data::LoaderOptions preprocessing;
  EvaluateSettings evaluate;
  std::filesystem::path checkpoint;  // the recogniser's weights (its "model" part)
  std::filesystem::path real;        // dataset files
  std::filesystem::path generated;
  std::filesystem::path report;      // written as JSON, with a table beside it (.txt); empty = none
  std::string device = "cpu";        // cpu or cuda[:N]
};

// The recogniser, data and evaluate sections of a feature recogniser's run config; the files and device are the
// caller's.
GeneratedSetEvaluationOptions generated_set_evaluation_options(const core::Config& config);

// Loads both sets and the recogniser, runs evaluate_generation, and writes the report when options.report is set (the
// JSON adds the file names and the checkpoint). core::UserError naming the file or key for unreadable or unfit inputs.
GenerationEvaluation evaluate_generated_set(const GeneratedSetEvaluationOptions& options);

}  // namespace skelaug::evaluation
