#include "skelaug/sampling/sample_config.h"

#include "skelaug/core/config.h"
#include "skelaug/core/config_schema.h"

namespace skelaug::sampling {

void add_sample_config_keys(core::Schema& schema) {
  schema.add_int("sample.ddim_steps", 0, 0, 100000,
               "0 = ancestral DDPM over every diffusion step (the paper); N = DDIM with N steps")
      .add_float("sample.eta", 0.0, 0.0, 10.0, "DDIM stochasticity (1 over every step = DDPM)")
      .add_float("sample.dropout", 0.0, 0.0, 0.9, "sampling-time dropout probability: trades fidelity for diversity")
      .add_float("sample.guidance", 1.0, 0.0, 100.0, "label mode: classifier-free guidance scale (1 = conditional only)")
      .add_int("sample.batch_size", 64, 1, 100000, "clips generated at once")
      .add_int("sample.chunk_size", 256, 1, 10000000,
               "work items per shard file: the unit ranks take, write, and skip when sampling again")
      .add_int("sample.seed", 0, 0, 2147483647, "seed of the sampler's noise and dropout")
      .add_choice("sample.weights", "ema", {"ema", "model"}, "which weights of the checkpoint generate")
      .add_string("sample.exemplar_split", "",
                  "where exemplars come from: empty = the clips the generator was trained on (data.train_split, "
                  "data.fraction, run.seed); a split name = that split of data.train; * = every clip");
}

SampleSettings sample_settings(const core::Config& config) {
  SampleSettings settings;
  settings.generation.sampler.ddim_steps = config.get_int("sample.ddim_steps");
  settings.generation.sampler.eta = config.get_float("sample.eta");
  settings.generation.dropout = config.get_float("sample.dropout");
  settings.generation.guidance = config.get_float("sample.guidance");
  settings.batch_size = config.get_int("sample.batch_size");
  settings.chunk_size = config.get_int("sample.chunk_size");
  settings.seed = static_cast<std::uint64_t>(config.get_int("sample.seed"));
  settings.weights = config.get_string("sample.weights");
  settings.exemplar_split = config.get_string("sample.exemplar_split");
  return settings;
}

}  // namespace skelaug::sampling
