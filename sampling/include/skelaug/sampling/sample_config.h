#pragma once

#include <cstdint>
#include <string>

#include "skelaug/models/generator_sampling.h"

namespace skelaug::core {
class Config;
class Schema;
}  // namespace skelaug::core

namespace skelaug::sampling {

// The `sample` section: sampler, sampling-time dropout, guidance, batch, seed, weights and exemplars.
void add_sample_config_keys(core::Schema& schema);

struct SampleSettings {
  // The sampler (DDPM or DDIM steps, eta), sampling-time dropout and guidance; its seeds are set per item from `seed`.
  models::GenerationOptions generation;
  std::int64_t batch_size = 64;    // clips generated at once
  std::int64_t chunk_size = 256;   // work items per shard file
  std::uint64_t seed = 0;          // of the sampler's noise and dropout, mixed with each item's id
  std::string weights = "ema";     // which weights of the checkpoint generate: "ema" or "model"
  std::string exemplar_split;      // "": the generator's training clips; a split name; "*": every clip (exemplar_clips)
};

// The `sample` section.
SampleSettings sample_settings(const core::Config& config);

}  // namespace skelaug::sampling
