#pragma once

#include <string>

#include "skelaug/data/skeleton_dataset.h"
#include "skelaug/models/recognizer.h"

namespace skelaug::core {
class Config;
class Schema;
}  // namespace skelaug::core

namespace skelaug::models {

// The `recognizer` section: architecture, input streams, sizes, dropout, label smoothing, momentum, SyncBatchNorm,
// initial weights.
void add_recognizer_config_keys(core::Schema& schema);

struct RecognizerSettings {
  // Architecture, streams, sizes, dropout; topology and num_classes come from the dataset (for_dataset).
  // recognizer.base_channels 0 takes the architecture's published width (published_base_channels).
  RecognizerOptions architecture;
  double label_smoothing = 0.0;  // of the training cross-entropy
  double momentum = 0.9;         // SGD (Nesterov when > 0)
  bool sync_batch_norm = false;  // batch-norm statistics over every rank's batch
  std::int64_t evaluate_every_epochs = 1;  // held-out evaluation after every N-th epoch (and after the last step)
  // recognizer.init: a recogniser run whose final weights start training (fine-tuning a pretrained network, e.g. one
  // trained on generated clips); empty: random initial weights.
  std::string init;

  // The architecture for `dataset`'s topology and classes.
  RecognizerOptions for_dataset(const data::SkeletonDataset& dataset) const;
};

// The `recognizer` section; a UserError naming the key for an unknown input stream.
RecognizerSettings recognizer_settings(const core::Config& config);
// ST-GCN++ 64, CTR-GCN 64, MS-G3D 96, BlockGCN 128 (its paper's model), a2m_gru 128 (Action2Motion's GRU).
std::int64_t published_base_channels(const std::string& architecture);

// The network for `options`; a UserError naming recognizer.architecture for one it does not know.
std::shared_ptr<RecognizerImpl> make_configured_recognizer(const RecognizerOptions& options);

}  // namespace skelaug::models
