#pragma once

#include <ATen/core/Tensor.h>

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "skelaug/data/distributed_sampler.h"
#include "skelaug/data/transforms.h"

namespace skelaug::data {

struct LoaderOptions {
  std::int64_t batch_size = 32;  // per rank
  std::int64_t clip_length = 48;
  LengthMode length_mode = LengthMode::kRandomCrop;
  RootCentring centring = RootCentring::kFirstFrame;
  AugmentOptions augment;
  std::optional<NormalisationStats> stats;  // z-score after centring and augmentation
  std::vector<std::int64_t> clips;           // the dataset clips to use; empty = all
  bool shuffle = true;
  ShardMode shard = ShardMode::kPad;
  std::uint64_t seed = 0;
  int rank = 0;
  int world_size = 1;
  int workers = 2;           // background threads building batches
  int prefetch_batches = 4;  // batches built ahead of the consumer
};

// One clip as a batch row holds it: its label is the dataset's, or the class's mirror image's when the clip was
// mirrored (wave_left <-> wave_right).
struct LoadedClip : FixedLengthClip {
  std::int64_t label = 0;
};

struct Batch {
  std::int64_t step = 0;
  at::Tensor joints;  // [B, T, J, 3] float32
  at::Tensor mask;    // [B, T] float32, 1 for real frames
  at::Tensor labels;  // [B] int64
  std::vector<std::int64_t> clips;  // dataset clip index of each row
};

// Options for evaluating `clips` with the preparation a model was trained with (`training`: clip length, centring,
// normalisation, length mode): a random crop becomes the middle window (resampling stays), no augmentation, no
// shuffling, and every clip exactly once over the ranks (ShardMode::kExact).
LoaderOptions evaluation_options(LoaderOptions training, std::vector<std::int64_t> clips, std::int64_t batch_size,
                                 int rank, int world_size);

// Batches of fixed-length clips for one rank, built ahead by background threads. What a batch holds depends only on
// (seed, epoch, step, rank, world size), never on the number of threads or their timing: each sample's random
// stream is seeded from (seed, epoch, clip index). Errors in a worker are rethrown by next().
class SkeletonLoader {
 public:
  SkeletonLoader(std::shared_ptr<const SkeletonDataset> dataset, LoaderOptions options);
  ~SkeletonLoader();
  SkeletonLoader(const SkeletonLoader&) = delete;
  SkeletonLoader& operator=(const SkeletonLoader&) = delete;

  // Starts (or restarts) an epoch; from step `first_step` when resuming mid-epoch.
  void start_epoch(std::int64_t epoch, std::int64_t first_step = 0);
  // The next batch of the epoch, in step order; empty at the end of the epoch. In ShardMode::kExact a batch can
  // have zero rows (this rank's share ran out while others' did not): the step must still be taken.
  std::optional<Batch> next();
  std::int64_t steps_per_epoch() const;

  // One sample exactly as the loader builds it (for tests and tools).
  LoadedClip sample(std::int64_t clip, std::int64_t epoch) const;

 private:
  Batch build(std::int64_t step) const;
  void stop_workers();
  void work();

  std::shared_ptr<const SkeletonDataset> dataset_;
  LoaderOptions options_;
  const Topology* topology_;
  DistributedSampler sampler_;
  std::vector<std::int64_t> mirrored_label_;  // a class's label once its clip is mirrored (itself, or its side twin)

  std::vector<std::vector<std::int64_t>> plan_;  // this epoch's batches (dataset clip indices)
  std::int64_t epoch_ = 0;
  std::int64_t next_to_build_ = 0;
  std::int64_t next_to_return_ = 0;
  std::map<std::int64_t, Batch> ready_;
  std::exception_ptr failure_;
  bool stopping_ = false;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::thread> workers_;
};

}  // namespace skelaug::data
