#include "skelaug/models/generator_config.h"

#include <fmt/format.h>

#include "skelaug/core/config.h"
#include "skelaug/core/error.h"

namespace skelaug::models {

void add_generator_config_keys(core::Schema& schema) {
  schema
      .add_choice("generator.conditioning", "exemplar", {"exemplar", "label"},
                  "exemplar: semantic encoder over a real clip + label (the paper); label: label only (MDM-style)")
      .add_choice("generator.exemplar", "same", {"same", "other"},
                  "exemplar in training: the clip itself, or another clip of its class")
      .add_int("generator.width", 256, 8, 8192, "model width")
      .add_int("generator.heads", 4, 1, 128, "attention heads (must divide the width)")
      .add_int("generator.feedforward", 1024, 8, 65536, "feed-forward width of each Transformer layer")
      .add_int("generator.encoder_layers", 8, 1, 64, "semantic encoder depth (exemplar mode)")
      .add_int("generator.decoder_layers", 4, 1, 64, "denoising decoder depth")
      .add_float("generator.dropout", 0.1, 0.0, 0.9, "dropout in training")
      .add_int("generator.diffusion_steps", 1000, 2, 100000, "diffusion steps of the cosine schedule")
      .add_float("generator.loss.auxiliary", 1.0, 0.0, 100.0, "weight of the auxiliary classifier's cross-entropy")
      .add_float("generator.loss.label_smoothing", 0.1, 0.0, 0.9, "label smoothing of the auxiliary classifier")
      .add_float("generator.loss.velocity", 0.0, 0.0, 100.0, "weight of the masked velocity L2")
      .add_float("generator.loss.bone_length", 0.0, 0.0, 100.0, "weight of the bone-length L2 (metres)")
      .add_float("generator.condition_dropout", 0.1, 0.0, 1.0,
                 "label mode: probability a training clip loses its label (classifier-free guidance)")
      .add_float("generator.ema_decay", 0.999, 0.0, 1.0, "decay of the exponential moving average of the weights");
}

GeneratorSettings generator_settings(const core::Config& config) {
  GeneratorSettings settings;
  auto& architecture = settings.architecture;
  architecture.conditioning =
      config.get_string("generator.conditioning") == "label" ? Conditioning::kLabel : Conditioning::kExemplar;
  architecture.num_joints = 0;
  architecture.num_classes = 0;
  architecture.clip_length = config.get_int("data.clip_length");
  architecture.width = config.get_int("generator.width");
  architecture.heads = config.get_int("generator.heads");
  architecture.feedforward = config.get_int("generator.feedforward");
  architecture.encoder_layers = config.get_int("generator.encoder_layers");
  architecture.decoder_layers = config.get_int("generator.decoder_layers");
  architecture.dropout = config.get_float("generator.dropout");
  if (architecture.width % architecture.heads != 0 || architecture.width % 2 != 0) {
    throw core::UserError(fmt::format("generator.width: {} must be even and divisible by generator.heads ({})",
                                      architecture.width, architecture.heads));
  }

  auto& loss = settings.loss;
  loss.auxiliary = config.get_float("generator.loss.auxiliary");
  loss.label_smoothing = config.get_float("generator.loss.label_smoothing");
  loss.velocity = config.get_float("generator.loss.velocity");
  loss.bone_length = config.get_float("generator.loss.bone_length");
  loss.condition_dropout = config.get_float("generator.condition_dropout");

  settings.diffusion_steps = config.get_int("generator.diffusion_steps");
  settings.ema_decay = config.get_float("generator.ema_decay");
  settings.exemplar =
      config.get_string("generator.exemplar") == "other" ? TrainingExemplar::kOther : TrainingExemplar::kSame;
  return settings;
}

GeneratorOptions GeneratorSettings::for_dataset(const data::SkeletonDataset& dataset) const {
  auto options = architecture;
  options.num_joints = dataset.num_joints();
  options.num_classes = static_cast<std::int64_t>(dataset.class_names.size());
  return options;
}

}  // namespace skelaug::models
