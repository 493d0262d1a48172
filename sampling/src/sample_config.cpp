#include "skelaug/sampling/sample_config.h"

#include <fmt/format.h>

#include <stdexcept>
#include <string>

#include "skelaug/core/config.h"
#include "skelaug/core/config_schema.h"
#include "skelaug/core/error.h"

namespace skelaug::sampling {

void add_sample_config_keys(core::Schema& schema) {
  schema.add_int("sample.ddim_steps", 0, 0, 100000,
               "0 = ancestral DDPM over every diffusion step (the paper); N = DDIM with N steps")
      .add_float("sample.eta", 0.0, 0.0, 10.0, "DDIM stochasticity (1 over every step = DDPM)")
      .add_float("sample.dropout", 0.0, 0.0, 0.9, "sampling-time dropout probability: trades fidelity for diversity")
      .add_bool("sample.dropout_shared_over_frames", false,
                "draw each sampling-dropout mask once per clip and share it over the frames (varies the motion "
                "without the frame-to-frame noise of per-frame masks)")
      .add_float("sample.guidance", 1.0, 0.0, 100.0, "label mode: classifier-free guidance scale (1 = conditional only)")
      .add_bool("sample.condition_every_step", false,
                "run the condition network at every step as the paper's code does (the same clips, slower; for "
                "benchmarks)")
      .add_int("sample.batch_size", 64, 1, 100000, "clips generated at once")
      .add_int("sample.chunk_size", 256, 1, 10000000,
               "work items per shard file: the unit ranks take, write, and skip when sampling again")
      .add_int("sample.seed", 0, 0, 2147483647, "seed of the sampler's noise and dropout")
      .add_choice("sample.weights", "ema", {"ema", "model"}, "which weights of the checkpoint generate")
      .add_string("sample.exemplar_split", "",
                  "where exemplars come from: empty = the clips the generator was trained on (data.train_split, "
                  "data.fraction, run.seed); a split name = that split of data.train; * = every clip")
      // The generative refinement module: each filter is off while its key is 0 (or empty).
      .add_float("sample.refine.max_deviation", 0.0, 0.0, 100.0,
                 "reject a clip farther than this from its exemplar (mean per-joint distance after aligning the roots, "
                 "metres); 0 = off")
      .add_float("sample.refine.min_deviation", 0.0, 0.0, 100.0,
                 "reject a clip closer than this to its exemplar, as a near-copy of real data (metres); 0 = off")
      .add_string("sample.refine.recognizer", "",
                  "a finished `skelaug train recognizer` run directory whose final weights (its newest checkpoint, "
                  "not best/: that is chosen on its held-out clips) score each clip's own label; "
                  "empty = off")
      .add_string("sample.refine.min_confidence", "",
                  "reject a clip whose label probability under the recogniser is below this (0..1), or `auto`: the "
                  "recogniser's sample.refine.confidence_quantile of confidence on real held-out clips of the class; "
                  "empty = record the confidence only")
      .add_float("sample.refine.confidence_quantile", 0.05, 0.0, 1.0, "the quantile `auto` takes")
      .add_float("sample.refine.max_bone_error", 0.0, 0.0, 100.0,
                 "reject a clip whose bones differ from its exemplar's mean bone lengths by more than this on average "
                 "(metres); 0 = off")
      .add_float("sample.refine.max_jitter", 0.0, 0.0, 1e9,
                 "reject a clip whose mean jerk exceeds this (m/s^3, as the fidelity statistics' jitter); 0 = off")
      .add_int("sample.refine.renoise_step", 400, 1, 100000,
               "a rejected clip is noised to this diffusion step and denoised again (SDEdit)")
      .add_int("sample.refine.max_rounds", 0, 0, 100, "refinement rounds per draw; 0 = no refinement")
      .add_int("sample.refine.max_draws", 1, 1, 100,
               "draws per item: a clip still rejected is drawn anew from the item's next seed, up to this; then it "
               "is dropped and counted");
}

SampleSettings sample_settings(const core::Config& config) {
  SampleSettings settings;
  settings.generation.sampler.ddim_steps = config.get_int("sample.ddim_steps");
  settings.generation.sampler.eta = config.get_float("sample.eta");
  settings.generation.dropout = config.get_float("sample.dropout");
  settings.generation.dropout_shared_over_frames = config.get_bool("sample.dropout_shared_over_frames");
  settings.generation.guidance = config.get_float("sample.guidance");
  settings.generation.condition_every_step = config.get_bool("sample.condition_every_step");
  settings.batch_size = config.get_int("sample.batch_size");
  settings.chunk_size = config.get_int("sample.chunk_size");
  settings.seed = static_cast<std::uint64_t>(config.get_int("sample.seed"));
  settings.weights = config.get_string("sample.weights");
  settings.exemplar_split = config.get_string("sample.exemplar_split");
  auto& refine = settings.refine;
  refine.max_deviation = config.get_float("sample.refine.max_deviation");
  refine.min_deviation = config.get_float("sample.refine.min_deviation");
  refine.recognizer = config.get_string("sample.refine.recognizer");
  const auto min_confidence = config.get_string("sample.refine.min_confidence");
  if (min_confidence == "auto") {
    refine.auto_confidence = true;
  } else if (!min_confidence.empty()) {
    try {
      std::size_t used = 0;
      refine.min_confidence = std::stod(min_confidence, &used);
      if (used != min_confidence.size() || !(refine.min_confidence >= 0 && refine.min_confidence <= 1)) {
        throw std::invalid_argument("range");
      }
    } catch (const std::exception&) {
      throw core::UserError(fmt::format("sample.refine.min_confidence: '{}' is neither a number in [0, 1] nor auto",
                                        min_confidence));
    }
  }
  if ((refine.auto_confidence || refine.min_confidence > 0) && refine.recognizer.empty()) {
    throw core::UserError("sample.refine.min_confidence: needs sample.refine.recognizer (a recogniser run directory)");
  }
  refine.confidence_quantile = config.get_float("sample.refine.confidence_quantile");
  refine.max_bone_error = config.get_float("sample.refine.max_bone_error");
  refine.max_jitter = config.get_float("sample.refine.max_jitter");
  refine.renoise_step = config.get_int("sample.refine.renoise_step");
  refine.max_rounds = config.get_int("sample.refine.max_rounds");
  refine.max_draws = config.get_int("sample.refine.max_draws");
  return settings;
}

}  // namespace skelaug::sampling
