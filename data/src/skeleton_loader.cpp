#include "skelaug/data/skeleton_loader.h"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <numeric>
#include <stdexcept>

#include "skelaug/core/error.h"
#include "skelaug/core/seeding.h"

namespace skelaug::data {
namespace {

std::int64_t usable_clips(const SkeletonDataset& dataset, const LoaderOptions& options) {
  return options.clips.empty() ? static_cast<std::int64_t>(dataset.size())
                               : static_cast<std::int64_t>(options.clips.size());
}

}  // namespace

SkeletonLoader::SkeletonLoader(std::shared_ptr<const SkeletonDataset> dataset, LoaderOptions options)
    : dataset_(std::move(dataset)),
      options_(std::move(options)),
      topology_(&data::topology(dataset_->topology)),
      sampler_(usable_clips(*dataset_, options_), options_.world_size, options_.rank, options_.seed, options_.shuffle,
               options_.shard) {
  if (options_.batch_size <= 0 || options_.clip_length <= 0 || options_.workers < 0 || options_.prefetch_batches < 1) {
    throw std::invalid_argument("SkeletonLoader: batch size, clip length and prefetch must be positive");
  }
  if (options_.augment.mirror_probability > 0 && topology_->mirror_pairs.empty()) {
    throw core::UserError(fmt::format("data.augment.mirror_probability: topology '{}' has no left/right joint pairs "
                                      "(a topology file's `mirror:`), so a mirrored clip would swap no limbs",
                                      topology_->name));
  }
  mirrored_label_.resize(dataset_->class_names.size());
  std::iota(mirrored_label_.begin(), mirrored_label_.end(), 0);
  for (const auto& [left, right] : left_right_name_pairs(dataset_->class_names)) {
    mirrored_label_[static_cast<std::size_t>(left)] = right;
    mirrored_label_[static_cast<std::size_t>(right)] = left;
  }
  for (const auto clip : options_.clips) {
    if (clip < 0 || clip >= static_cast<std::int64_t>(dataset_->size())) {
      throw std::invalid_argument("SkeletonLoader: clip index outside the dataset");
    }
  }
}

SkeletonLoader::~SkeletonLoader() { stop_workers(); }

std::int64_t SkeletonLoader::steps_per_epoch() const { return sampler_.num_batches(options_.batch_size); }

void SkeletonLoader::stop_workers() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (auto& worker : workers_) worker.join();
  workers_.clear();
}

void SkeletonLoader::start_epoch(std::int64_t epoch, std::int64_t first_step) {
  stop_workers();
  sampler_.set_epoch(epoch);
  plan_ = sampler_.batches(options_.batch_size);
  if (!options_.clips.empty()) {
    for (auto& batch : plan_) {
      for (auto& index : batch) index = options_.clips[static_cast<std::size_t>(index)];
    }
  }
  epoch_ = epoch;
  next_to_build_ = next_to_return_ = std::min<std::int64_t>(first_step, static_cast<std::int64_t>(plan_.size()));
  ready_.clear();
  failure_ = nullptr;
  stopping_ = false;
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { work(); });
}

void SkeletonLoader::work() {
  for (;;) {
    std::int64_t step = 0;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [this] {
        return stopping_ || (next_to_build_ < static_cast<std::int64_t>(plan_.size()) &&
                             next_to_build_ < next_to_return_ + options_.prefetch_batches);
      });
      if (stopping_) return;
      step = next_to_build_++;
    }
    try {
      auto batch = build(step);
      std::lock_guard<std::mutex> lock(mutex_);
      ready_.emplace(step, std::move(batch));
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!failure_) failure_ = std::current_exception();
    }
    changed_.notify_all();
  }
}

std::optional<Batch> SkeletonLoader::next() {
  if (next_to_return_ >= static_cast<std::int64_t>(plan_.size())) return std::nullopt;
  if (options_.workers == 0) return build(next_to_return_++);  // synchronous mode
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return failure_ || ready_.count(next_to_return_) > 0; });
  if (failure_) std::rethrow_exception(failure_);
  auto node = ready_.extract(next_to_return_);
  ++next_to_return_;
  lock.unlock();
  changed_.notify_all();
  return std::move(node.mapped());
}

LoadedClip SkeletonLoader::sample(std::int64_t clip, std::int64_t epoch) const {
  std::mt19937_64 engine(core::mix_seed(options_.seed, static_cast<std::uint64_t>(epoch), static_cast<std::uint64_t>(clip)));
  auto joints = clip_tensor(*dataset_, static_cast<std::size_t>(clip));
  if (options_.augment.speed > 0) {
    const double speed = 1.0 + options_.augment.speed * (static_cast<double>(engine() >> 11) / 4503599627370496.0 - 1.0);
    const auto frames = std::max<std::int64_t>(2, std::llround(static_cast<double>(joints.size(0)) / speed));
    joints = resample(joints, frames);
  }
  LoadedClip loaded{fix_length(joints, options_.clip_length, options_.length_mode, engine),
                    dataset_->labels[static_cast<std::size_t>(clip)]};
  loaded.joints = centre_root(loaded.joints, options_.centring);
  if (options_.augment.any()) {
    bool mirrored = false;
    loaded.joints = augment_spatial(loaded.joints, options_.augment, *topology_, engine, &mirrored);
    if (mirrored) loaded.label = mirrored_label_.at(static_cast<std::size_t>(loaded.label));
  }
  if (options_.stats) loaded.joints = options_.stats->normalise(loaded.joints);
  return loaded;
}

Batch SkeletonLoader::build(std::int64_t step) const {
  const auto& clips = plan_[static_cast<std::size_t>(step)];
  const auto rows = static_cast<std::int64_t>(clips.size());
  const std::int64_t J = topology_->num_joints();
  Batch batch{step, at::empty({rows, options_.clip_length, J, 3}, at::kFloat),
              at::empty({rows, options_.clip_length}, at::kFloat), at::empty({rows}, at::kLong), clips};
  for (std::int64_t row = 0; row < rows; ++row) {
    const auto clip = clips[static_cast<std::size_t>(row)];
    const auto loaded = sample(clip, epoch_);
    batch.joints[row].copy_(loaded.joints);
    batch.mask[row].copy_(loaded.mask);
    batch.labels[row] = loaded.label;
  }
  return batch;
}

LoaderOptions evaluation_options(LoaderOptions training, std::vector<std::int64_t> clips, std::int64_t batch_size,
                                 int rank, int world_size) {
  auto options = std::move(training);
  if (options.length_mode == LengthMode::kRandomCrop) options.length_mode = LengthMode::kCentreCrop;
  options.augment = {};
  options.shuffle = false;
  options.shard = ShardMode::kExact;
  options.clips = std::move(clips);
  options.batch_size = batch_size;
  options.rank = rank;
  options.world_size = world_size;
  return options;
}

}  // namespace skelaug::data
