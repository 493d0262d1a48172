#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "skelaug/data/data_config.h"
#include "skelaug/data/skeleton_dataset.h"
#include "skelaug/models/generator_config.h"
#include "skelaug/sampling/sample_config.h"
#include "skelaug/sampling/sample_set.h"
#include "skelaug/sampling/work_items.h"

namespace skelaug::core {
class Config;
}  // namespace skelaug::core

namespace skelaug::distributed {
class MpiEnvironment;
}  // namespace skelaug::distributed

namespace skelaug::sampling {

// What `skelaug sample` does: clips from a trained generator, `per_clip` for every clip of the exemplar set or
// `per_class` for every class (exactly one of them is positive).
struct SamplingJobOptions {
  // From the generator's run config: its training file (classes, topology, the exemplars and the clips it was trained
  // on), how its clips were prepared (clip length, length mode), the network.
  data::DataOptions data;
  models::GeneratorSettings generator;
  SampleSettings sample;
  std::shared_ptr<const core::Config> config;  // the whole resolved config: what the sample set records
  // The config of the recogniser run sample.refine.recognizer names (read by the caller, who knows the schema).
  std::shared_ptr<const core::Config> refine_recognizer_config;
  std::filesystem::path checkpoint;            // a checkpoint of that run
  std::int64_t per_clip = 0;
  std::int64_t per_class = 0;
  std::string device = "auto";      // "auto" (the node-local rank's GPU if there is one), "cpu" or "cuda[:N]"
  double progress_interval_s = 30;  // run.progress_interval_s: seconds between progress lines
};

// The data, generator and sample sections of a generator's run config (and run.progress_interval_s); checkpoint,
// counts and device are the caller's.
SamplingJobOptions sampling_job_options(const core::Config& config);

// The job's work items: per_clip_items or per_class_items over exemplar_clips(sample.exemplar_split).
std::vector<WorkItem> work_items(const data::SkeletonDataset& dataset, const SamplingJobOptions& options,
                                 bool use_exemplars);

// Every item's clip, in memory, in this process: for small sets and tests. The same options give the same clips.
data::SkeletonDataset generate_clips(const SamplingJobOptions& options);

struct SamplingRun {
  std::int64_t items = 0;
  std::int64_t chunks = 0;
  std::int64_t chunks_found = 0;    // already in the directory (an earlier run's)
  std::int64_t chunks_written = 0;  // by this run, over all ranks
  std::int64_t rank_items = 0;      // the items rank 0 generated in this run ...
  double rank_seconds = 0;          // ... in this time (from its first chunk to its last shard written)
  SampleSetSummary summary;
};

// The sample set in directory `output` (data/sample_directory.h), made by every rank of `mpi` together: items are cut
// into chunks of sample.chunk_size, rank 0 finds the chunks still to do (prepare_sample_set: a set made otherwise is
// refused unless `force`), and the ranks take them in turn, each written as its shard as soon as it is done, so memory
// holds one chunk. Since an item's clip depends on its id alone, the set is the same for any number of ranks and
// after any interruption. SIGTERM/SIGUSR1: each rank finishes and writes the chunk in flight, then core::Preempted
// (exit 3); the same command completes the set. Rank 0 then writes the complete manifest.
SamplingRun sample_to_directory(const SamplingJobOptions& options, const std::filesystem::path& output, bool force,
                                const distributed::MpiEnvironment& mpi);

}  // namespace skelaug::sampling
