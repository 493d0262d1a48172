#pragma once

#include <cstdint>
#include <vector>

namespace skelaug::data {

// How an epoch's samples are split across ranks.
//  kPad:   like PyTorch's DistributedSampler: the permutation is extended with its own first samples to a multiple of
//          world size x batch size, so every rank gets the same number of full batches. Every sample is seen at
//          least once; a few twice. For training.
//  kExact: every sample exactly once. Shares differ by at most one sample, and a rank whose share runs out first
//          gets smaller (possibly empty) final batches, so all ranks still take the same number of steps. For
//          evaluation, where results are gathered per sample.
enum class ShardMode { kPad, kExact };

// The distributed sampler contract: the permutation of an epoch depends only on (seed, epoch), so it is the same on
// every rank; each rank takes a disjoint share of it; every rank gets the same number of batches.
class DistributedSampler {
 public:
  DistributedSampler(std::int64_t num_samples, int world_size, int rank, std::uint64_t seed, bool shuffle,
                     ShardMode mode);

  void set_epoch(std::int64_t epoch) { epoch_ = epoch; }
  std::int64_t epoch() const { return epoch_; }
  // This rank's batches for the current epoch, each a list of sample indices.
  std::vector<std::vector<std::int64_t>> batches(std::int64_t batch_size) const;
  // Steps per epoch: the same on every rank.
  std::int64_t num_batches(std::int64_t batch_size) const;
  // The whole epoch's order of samples (identical on every rank).
  std::vector<std::int64_t> permutation() const;

 private:
  std::int64_t num_samples_;
  int world_size_;
  int rank_;
  std::uint64_t seed_;
  bool shuffle_;
  ShardMode mode_;
  std::int64_t epoch_ = 0;
};

}  // namespace skelaug::data
