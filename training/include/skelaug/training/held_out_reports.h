#pragma once

#include <torch/nn/module.h>

#include <filesystem>
#include <string>
#include <vector>

#include "skelaug/evaluation/classification_metrics.h"
#include "skelaug/training/checkpoint.h"
#include "skelaug/training/training_world.h"

namespace skelaug::training {

// The held-out record of a recogniser run, kept by rank 0: after every evaluation <run>/evaluation/last.{json,txt}
// (the confusion matrix's report and table, with epoch, step and architecture), an "evaluation" line in
// metrics.jsonl, and, when top-1 beats every earlier evaluation of the run, best.{json,txt} and the weights in
// <run>/best/ (one checkpoint). The best of earlier epochs survives a resume: it is read back from best.json.
class HeldOutReports {
 public:
  // A UserError naming best.json when an existing one cannot be read.
  HeldOutReports(const TrainingWorld& world, std::vector<std::string> class_names, std::string architecture);

  // Records one evaluation of `model` at `state`; a no-op on ranks other than 0. Returns whether it was a new best.
  bool add(const evaluation::ConfusionMatrix& confusion, const TrainingState& state, torch::nn::Module& model);

  double best_top1() const { return best_; }  // -1 before any evaluation (rank 0)
  std::filesystem::path directory() const { return directory_; }
  std::filesystem::path best_weights_directory() const { return best_store_directory_; }

 private:
  const TrainingWorld& world_;
  std::vector<std::string> class_names_;
  std::string architecture_;
  std::filesystem::path directory_;
  std::filesystem::path best_store_directory_;
  CheckpointStore best_store_;
  double best_ = -1;
};

}  // namespace skelaug::training
