#pragma once

#include <torch/nn/module.h>

#include <filesystem>

#include "skelaug/data/data_config.h"
#include "skelaug/models/recognizer_config.h"
#include "skelaug/training/training_config.h"
#include "skelaug/training/training_world.h"

namespace skelaug::core {
class Config;
}  // namespace skelaug::core

namespace skelaug::training {

// What `skelaug train recognizer` does, from its config's sections.
struct RecognizerTrainingOptions {
  data::DataOptions data;                 // real training clips (+ extra files at a ratio), the held-out clips
  TrainOptions train;                     // loop, schedule, batch
  models::RecognizerSettings recognizer;  // network, label smoothing, momentum, SyncBatchNorm
};

// The data, train and recognizer sections.
RecognizerTrainingOptions recognizer_training_options(const core::Config& config);

// Loads the final weights of the recogniser run `init_run` (recognizer.init) into `model`; returns the checkpoint
// read. A core::UserError naming recognizer.init when the run has no checkpoint or its network differs from `model`
// (another architecture, width, stream set or class count).
std::filesystem::path load_initial_weights(torch::nn::Module& model, const std::filesystem::path& init_run);

// Data-parallel training of a skeleton action recogniser (ST-GCN++, CTR-GCN, MS-G3D, BlockGCN, or the a2m_gru feature
// recogniser of the generation metrics) on real clips, optionally mixed with extra (generated) ones: SGD with Nesterov
// momentum and the train section's schedule, from random weights or a finished run's (recognizer.init),
// label-smoothed cross-entropy, evaluated on the held-out clips after every epoch (and after the last step of a run
// cut short by train.max_steps), the reports and the best weights kept by HeldOutReports. Every rank of the job
// calls it. Returns core::kSuccess, or core::kPreempted after a stop signal (a checkpoint was written).
// core::UserError for inputs that do not fit (files, keys).
int train_recognizer(const RecognizerTrainingOptions& options, const TrainingWorld& world);

}  // namespace skelaug::training
