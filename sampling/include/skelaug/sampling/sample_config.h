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

// The generative refinement module (`sample.refine.*`): filters that reject a generated clip, and what happens to it
// then. A filter whose threshold is 0 (or empty) is off.
struct RefineSettings {
  double max_deviation = 0;  // from the exemplar, root-aligned (m)
  double min_deviation = 0;  // a near-copy of the exemplar below this (m)
  std::string recognizer;    // run directory of the recogniser that scores each clip's label
  double min_confidence = 0;
  bool auto_confidence = false;  // the recogniser's confidence_quantile on real held-out clips of the class
  double confidence_quantile = 0.05;
  double max_bone_error = 0;  // mean |bone length - the exemplar's mean length| (m)
  double max_jitter = 0;      // mean jerk (m/s^3)
  std::int64_t renoise_step = 400;
  std::int64_t max_rounds = 0;  // SDEdit rounds per draw
  std::int64_t max_draws = 1;   // draws per item

  bool filters() const {
    return max_deviation > 0 || min_deviation > 0 || min_confidence > 0 || auto_confidence || max_bone_error > 0 ||
           max_jitter > 0;
  }
  // Whether clips are judged at all: a filter, or a recogniser whose confidences are recorded.
  bool on() const { return filters() || !recognizer.empty(); }
};

struct SampleSettings {
  // The sampler (DDPM or DDIM steps, eta), sampling-time dropout and guidance; its seeds are set per item from `seed`.
  models::GenerationOptions generation;
  std::int64_t batch_size = 64;    // clips generated at once
  std::int64_t chunk_size = 256;   // work items per shard file
  std::uint64_t seed = 0;          // of the sampler's noise and dropout, mixed with each item's id
  std::string weights = "ema";     // which weights of the checkpoint generate: "ema" or "model"
  std::string exemplar_split;      // "": the generator's training clips; a split name; "*": every clip (exemplar_clips)
  RefineSettings refine;
};

// The `sample` section.
SampleSettings sample_settings(const core::Config& config);

}  // namespace skelaug::sampling
