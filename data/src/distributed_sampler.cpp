#include "skelaug/data/distributed_sampler.h"

#include "skelaug/core/seeding.h"
#include <algorithm>
#include <numeric>
#include <random>
#include <stdexcept>

namespace skelaug::data {

DistributedSampler::DistributedSampler(std::int64_t num_samples, int world_size, int rank, std::uint64_t seed,
                                       bool shuffle, ShardMode mode)
    : num_samples_(num_samples), world_size_(world_size), rank_(rank), seed_(seed), shuffle_(shuffle), mode_(mode) {
  if (num_samples <= 0) throw std::invalid_argument("DistributedSampler: no samples");
  if (world_size <= 0 || rank < 0 || rank >= world_size) throw std::invalid_argument("DistributedSampler: bad rank");
}

std::vector<std::int64_t> DistributedSampler::permutation() const {
  std::vector<std::int64_t> order(static_cast<std::size_t>(num_samples_));
  std::iota(order.begin(), order.end(), 0);
  if (shuffle_) {
    // Fisher-Yates with our own draws: std::shuffle's use of the engine is implementation-defined.
    std::mt19937_64 engine(core::mix_seed(seed_, static_cast<std::uint64_t>(epoch_)));
    for (std::size_t i = order.size() - 1; i > 0; --i) {
      const auto j = static_cast<std::size_t>(engine() % (i + 1));
      std::swap(order[i], order[j]);
    }
  }
  return order;
}

std::int64_t DistributedSampler::num_batches(std::int64_t batch_size) const {
  const std::int64_t share = (num_samples_ + world_size_ - 1) / world_size_;  // the largest share
  return (share + batch_size - 1) / batch_size;
}

std::vector<std::vector<std::int64_t>> DistributedSampler::batches(std::int64_t batch_size) const {
  if (batch_size <= 0) throw std::invalid_argument("DistributedSampler: batch size must be positive");
  auto order = permutation();
  const std::int64_t steps = num_batches(batch_size);
  if (mode_ == ShardMode::kPad) {
    const auto total = static_cast<std::size_t>(steps * batch_size * world_size_);
    for (std::size_t i = 0; order.size() < total; ++i) order.push_back(order[i % static_cast<std::size_t>(num_samples_)]);
  }
  // Rank r takes positions r, r + W, r + 2W, ...: shares differ by at most one sample.
  std::vector<std::int64_t> share;
  for (std::size_t i = static_cast<std::size_t>(rank_); i < order.size(); i += static_cast<std::size_t>(world_size_)) {
    share.push_back(order[i]);
  }
  std::vector<std::vector<std::int64_t>> result(static_cast<std::size_t>(steps));
  for (std::size_t i = 0; i < share.size(); ++i) result[i / static_cast<std::size_t>(batch_size)].push_back(share[i]);
  return result;
}

}  // namespace skelaug::data
