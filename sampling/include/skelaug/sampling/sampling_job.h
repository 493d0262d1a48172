#pragma once

#include <filesystem>
#include <string>

#include "skelaug/data/data_config.h"
#include "skelaug/data/skeleton_dataset.h"
#include "skelaug/models/generator_config.h"
#include "skelaug/sampling/sample_config.h"

namespace skelaug::core {
class Config;
}  // namespace skelaug::core

namespace skelaug::sampling {

// What `skelaug sample` does: clips from a trained generator, `per_class` for every class.
struct SamplingJobOptions {
  // From the generator's run config: its training file (classes, topology, the exemplars), how its clips were
  // prepared (clip length, length mode), the network.
  data::DataOptions data;
  models::GeneratorSettings generator;
  SampleSettings sample;
  std::filesystem::path checkpoint;  // a checkpoint of that run
  std::int64_t per_class = 0;
  std::string device = "auto";       // "auto" (the first GPU if there is one), "cpu" or "cuda[:N]"
  double progress_interval_s = 30;   // run.progress_interval_s: seconds between progress lines
};

// The data, generator and sample sections of a generator's run config (and run.progress_interval_s); checkpoint,
// count and device are the caller's.
SamplingJobOptions sampling_job_options(const core::Config& config);

// Generates the clips: per_class_items over the exemplar split, in batches of sample.batch_size, each batch's noise
// and dropout seeded from (sample.seed, its first item), so the same options give the same clips. Generated clips are
// in the `train` split, their source naming the exemplar's ("generated from <source>"), or "generated" in label mode.
// core::UserError naming the file or key for inputs that do not fit; core::Preempted when SIGTERM or SIGUSR1 arrives
// (checked between batches), so that nothing is written.
data::SkeletonDataset generate_clips(const SamplingJobOptions& options);

// generate_clips, written to `output` (a dataset file, written whole or not at all).
data::SkeletonDataset sample_to_file(const SamplingJobOptions& options, const std::filesystem::path& output);

}  // namespace skelaug::sampling
