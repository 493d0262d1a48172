#include "skelaug/models/generator_config.h"

#include <fmt/format.h>

#include "skelaug/core/config.h"
#include "skelaug/core/error.h"
#include "skelaug/data/topology.h"

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

GeneratorOptions generator_options(const core::Config& config, const data::SkeletonDataset& dataset) {
  GeneratorOptions options;
  options.conditioning =
      config.get_string("generator.conditioning") == "label" ? Conditioning::kLabel : Conditioning::kExemplar;
  options.num_joints = dataset.num_joints();
  options.num_classes = static_cast<std::int64_t>(dataset.class_names.size());
  options.clip_length = config.get_int("data.clip_length");
  options.width = config.get_int("generator.width");
  options.heads = config.get_int("generator.heads");
  options.feedforward = config.get_int("generator.feedforward");
  options.encoder_layers = config.get_int("generator.encoder_layers");
  options.decoder_layers = config.get_int("generator.decoder_layers");
  options.dropout = config.get_float("generator.dropout");
  if (options.width % options.heads != 0 || options.width % 2 != 0) {
    throw core::UserError(fmt::format("generator.width: {} must be even and divisible by generator.heads ({})",
                                      options.width, options.heads));
  }
  return options;
}

GeneratorLossWeights generator_loss_weights(const core::Config& config) {
  GeneratorLossWeights weights;
  weights.auxiliary = config.get_float("generator.loss.auxiliary");
  weights.label_smoothing = config.get_float("generator.loss.label_smoothing");
  weights.velocity = config.get_float("generator.loss.velocity");
  weights.bone_length = config.get_float("generator.loss.bone_length");
  weights.condition_dropout = config.get_float("generator.condition_dropout");
  return weights;
}

void add_sampling_config_keys(core::Schema& schema) {
  schema.add_int("sample.ddim_steps", 0, 0, 100000, "0 = ancestral DDPM over every diffusion step (the paper); N = DDIM with N steps")
      .add_float("sample.eta", 0.0, 0.0, 10.0, "DDIM stochasticity (1 over every step = DDPM)")
      .add_float("sample.dropout", 0.0, 0.0, 0.9, "sampling-time dropout probability: trades fidelity for diversity")
      .add_float("sample.guidance", 1.0, 0.0, 100.0, "label mode: classifier-free guidance scale (1 = conditional only)")
      .add_int("sample.batch_size", 64, 1, 100000, "clips generated at once")
      .add_int("sample.seed", 0, 0, 2147483647, "seed of the sampler's noise and dropout")
      .add_choice("sample.weights", "ema", {"ema", "model"}, "which weights of the checkpoint generate")
      .add_string("sample.exemplar_split", "train", "split of data.train the exemplars come from; empty = every clip");
}

}  // namespace skelaug::models
