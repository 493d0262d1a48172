#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace skelaug::visual {

// The curves of a training run as its metrics.jsonl records them (training/src/trainer.cpp,
// training/src/held_out_reports.cpp).
struct TrainingMetrics {
  struct Step {
    std::int64_t step = 0;
    std::int64_t epoch = 0;
    double loss = 0;          // NaN: the step was skipped (a non-finite loss, recorded as null)
    double learning_rate = 0; // NaN: not recorded
  };
  struct Evaluation {
    std::int64_t epoch = 0;
    std::int64_t step = 0;
    double top1 = 0, top5 = 0, mean_class_accuracy = 0;  // fractions; NaN where a field is absent
  };
  std::vector<Step> steps;              // "train_step" lines, by step
  std::vector<Evaluation> evaluations;  // "evaluation" lines (held-out accuracy), by epoch

  bool has_learning_rate() const;
};

// Reads `file` (one JSON object per line). A resumed run appends again from its checkpoint's step, so a step or an
// epoch recorded twice keeps its later line. Other events are skipped; blank lines too. core::UserError naming the
// file for a missing or unreadable file, a file without a single record, and "<file>:<line>: ..." for a line that is
// not a JSON object or a train_step/evaluation line whose fields have the wrong types.
TrainingMetrics read_training_metrics(const std::filesystem::path& file);

}  // namespace skelaug::visual
