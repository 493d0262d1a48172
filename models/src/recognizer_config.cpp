#include "skelaug/models/recognizer_config.h"

#include <fmt/format.h>

#include "skelaug/core/config.h"
#include "skelaug/core/config_schema.h"
#include "skelaug/core/error.h"

namespace skelaug::models {

void add_recognizer_config_keys(core::Schema& schema) {
  schema
      .add_choice("recognizer.architecture", "stgcn_pp", recognizer_architectures(),
                  "stgcn_pp | ctrgcn | msg3d | blockgcn, or a2m_gru (the feature recogniser of the generation metrics)")
      .add_string_list("recognizer.streams", {"joint"},
                       "input streams concatenated along channels: joint, bone, joint_motion, bone_motion")
      .add_int("recognizer.base_channels", 0, 0, 4096,
               "width of the first stage (a2m_gru: GRU hidden size); 0 = the architecture's published width")
      .add_int("recognizer.stages", 10, 1, 64, "GCN blocks (MS-G3D: at most its published 3 are used)")
      .add_float("recognizer.dropout", 0.0, 0.0, 0.9, "dropout before the classifier")
      .add_float("recognizer.label_smoothing", 0.0, 0.0, 0.9, "label smoothing of the cross-entropy")
      .add_float("recognizer.momentum", 0.9, 0.0, 0.999, "SGD momentum (Nesterov), as PYSKL trains its recognisers")
      .add_int("recognizer.evaluate_every_epochs", 1, 1, 1000000,
               "held-out evaluation after every N-th epoch (and after the last step)")
      .add_bool("recognizer.sync_batch_norm", false,
                "batch-norm statistics over every rank's batch (SyncBatchNorm); off: per rank, as DDP without it")
      .add_string("recognizer.init", "",
                  "a recogniser run directory whose final weights (newest checkpoint, not best/) start this run, "
                  "e.g. to fine-tune on real clips after pretraining on generated ones; empty = random weights");
}

std::int64_t published_base_channels(const std::string& architecture) {
  if (architecture == "msg3d") return 96;
  if (architecture == "blockgcn" || architecture == "a2m_gru") return 128;
  return 64;
}

RecognizerSettings recognizer_settings(const core::Config& config) {
  RecognizerSettings settings;
  auto& options = settings.architecture;
  options.architecture = config.get_string("recognizer.architecture");
  options.topology.clear();
  options.num_classes = 0;
  options.num_bodies = 1;
  options.streams.clear();
  for (const auto& name : config.get_string_list("recognizer.streams")) {
    try {
      options.streams.push_back(parse_input_stream(name));
    } catch (const std::invalid_argument& error) {
      throw core::UserError(fmt::format("recognizer.streams: {}", error.what()));
    }
  }
  if (options.streams.empty()) throw core::UserError("recognizer.streams: at least one stream is needed");
  const auto width = config.get_int("recognizer.base_channels");
  options.base_channels = width > 0 ? width : published_base_channels(options.architecture);
  options.stages = config.get_int("recognizer.stages");
  options.dropout = config.get_float("recognizer.dropout");
  settings.label_smoothing = config.get_float("recognizer.label_smoothing");
  settings.momentum = config.get_float("recognizer.momentum");
  settings.sync_batch_norm = config.get_bool("recognizer.sync_batch_norm");
  settings.evaluate_every_epochs = config.get_int("recognizer.evaluate_every_epochs");
  settings.init = config.get_string("recognizer.init");
  return settings;
}

RecognizerOptions RecognizerSettings::for_dataset(const data::SkeletonDataset& dataset) const {
  auto options = architecture;
  options.topology = dataset.topology;
  options.num_classes = static_cast<std::int64_t>(dataset.class_names.size());
  return options;
}

std::shared_ptr<RecognizerImpl> make_configured_recognizer(const RecognizerOptions& options) {
  try {
    return make_recognizer(options);
  } catch (const std::invalid_argument& error) {
    throw core::UserError(fmt::format("recognizer: {}", error.what()));
  }
}

}  // namespace skelaug::models
