#include "skelaug/data/data_config.h"

#include "skelaug/core/config.h"
#include "skelaug/core/error.h"

namespace skelaug::data {

void add_data_config_keys(core::Schema& schema) {
  schema.add_string("data.train", "", "training dataset file (.npz), e.g. one written by `skelaug data demo`")
      .add_string("data.train_split", "train", "the split of data.train to train on; empty = every clip")
      .add_float("data.fraction", 1.0, 1e-6, 1.0, "fraction of each class's training clips kept (low-data protocol)")
      .add_int("data.clip_length", 48, 4, 4096, "frames per training clip (cropped, padded or resampled)")
      .add_choice("data.length_mode", "random_crop", {"random_crop", "centre_crop", "resample"},
                  "how clips are brought to data.clip_length")
      .add_int("data.workers", 2, 0, 64, "background threads building batches; 0 = build in the training thread")
      .add_float("data.augment.rotation_deg", 0.0, 0.0, 180.0, "random rotation about the vertical axis, degrees")
      .add_float("data.augment.scale", 0.0, 0.0, 0.9, "random scale factor range 1 +- this")
      .add_float("data.augment.jitter_std", 0.0, 0.0, 1.0, "Gaussian noise on every coordinate, metres")
      .add_float("data.augment.mirror_probability", 0.0, 0.0, 1.0, "probability of a left/right mirrored clip")
      .add_float("data.augment.speed", 0.0, 0.0, 0.9, "random playback speed range 1 +- this (interpolation)");
}

LoaderOptions loader_options(const core::Config& config) {
  LoaderOptions options;
  options.clip_length = config.get_int("data.clip_length");
  const auto& mode = config.get_string("data.length_mode");
  options.length_mode = mode == "resample"      ? LengthMode::kResample
                        : mode == "centre_crop" ? LengthMode::kCentreCrop
                                                : LengthMode::kRandomCrop;
  options.workers = static_cast<int>(config.get_int("data.workers"));
  options.augment.rotation_deg = config.get_float("data.augment.rotation_deg");
  options.augment.scale = config.get_float("data.augment.scale");
  options.augment.jitter_std = config.get_float("data.augment.jitter_std");
  options.augment.mirror_probability = config.get_float("data.augment.mirror_probability");
  options.augment.speed = config.get_float("data.augment.speed");
  options.seed = static_cast<std::uint64_t>(config.get_int("run.seed"));
  return options;
}

std::string training_file(const core::Config& config) {
  const auto& file = config.get_string("data.train");
  if (file.empty()) throw core::UserError("data.train: no training dataset set (data.train=FILE.npz)");
  return file;
}

std::vector<std::int64_t> training_clips(const SkeletonDataset& dataset, const core::Config& config) {
  return subset_indices(dataset, config.get_string("data.train_split"), config.get_float("data.fraction"),
                        static_cast<std::uint64_t>(config.get_int("run.seed")));
}

}  // namespace skelaug::data
