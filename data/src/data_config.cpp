#include "skelaug/data/data_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <random>

#include "skelaug/core/config.h"
#include "skelaug/core/error.h"
#include "skelaug/core/seeding.h"
#include "skelaug/data/dataset_io.h"

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
      .add_float("data.augment.speed", 0.0, 0.0, 0.9, "random playback speed range 1 +- this (interpolation)")
      .add_string_list("data.extra", {}, "further training files (e.g. generated clips) mixed with data.train's clips")
      .add_float("data.extra_ratio", -1.0, -1.0, 1000.0,
                 "extra clips per real training clip, drawn at random; negative = every extra clip once")
      .add_bool("data.extra_by_class", false,
                "draw data.extra_ratio extra clips per real clip class by class, so that the mix keeps the real "
                "clips' class proportions however unevenly refinement kept generated clips (needs data.extra_ratio "
                ">= 0)")
      .add_float("data.real_share", 0.0, 0.0, 0.99,
                 "with data.extra: repeat the real clips in every epoch so that about this share of the clips are "
                 "real (0 = each real clip once, a share of 1 / (1 + data.extra_ratio))")
      .add_bool("data.extra_only", false,
                "train on the data.extra clips alone (generated-only training, pretraining); data.train, "
                "data.train_split and data.fraction still name the real subset, whose other clips "
                "data.test_unused_only evaluates on")
      .add_string("data.test", "", "held-out dataset file (.npz); empty = data.train")
      .add_string("data.test_split", "test", "the split of the held-out file evaluated on; empty = every clip")
      .add_bool("data.test_unused_only", false,
                "evaluate on the clips of data.test_split this run does not train on: with data.test_split = "
                "data.train_split and data.fraction < 1, a validation set carved from the training clips");
}

DataOptions data_options(const core::Config& config) {
  DataOptions options;
  options.train = config.get_string("data.train");
  options.train_split = config.get_string("data.train_split");
  options.fraction = config.get_float("data.fraction");
  options.extra = config.get_string_list("data.extra");
  options.extra_ratio = config.get_float("data.extra_ratio");
  options.real_share = config.get_float("data.real_share");
  options.extra_by_class = config.get_bool("data.extra_by_class");
  options.extra_only = config.get_bool("data.extra_only");
  if (options.extra_only && options.extra.empty()) {
    throw core::UserError("data.extra_only: trains on the data.extra clips alone, and data.extra names no file");
  }
  if (options.extra_by_class && options.extra_ratio < 0) {
    throw core::UserError(fmt::format("data.extra_by_class: draws data.extra_ratio clips per real clip of each class; "
                                      "set data.extra_ratio (now {:g}, every extra clip once) to 0 or more",
                                      options.extra_ratio));
  }
  options.test = config.get_string("data.test");
  options.test_split = config.get_string("data.test_split");
  options.test_unused_only = config.get_bool("data.test_unused_only");
  options.seed = static_cast<std::uint64_t>(config.get_int("run.seed"));

  auto& loader = options.loader;
  loader.clip_length = config.get_int("data.clip_length");
  const auto& mode = config.get_string("data.length_mode");
  loader.length_mode = mode == "resample"      ? LengthMode::kResample
                       : mode == "centre_crop" ? LengthMode::kCentreCrop
                                               : LengthMode::kRandomCrop;
  loader.workers = static_cast<int>(config.get_int("data.workers"));
  loader.augment.rotation_deg = config.get_float("data.augment.rotation_deg");
  loader.augment.scale = config.get_float("data.augment.scale");
  loader.augment.jitter_std = config.get_float("data.augment.jitter_std");
  loader.augment.mirror_probability = config.get_float("data.augment.mirror_probability");
  loader.augment.speed = config.get_float("data.augment.speed");
  loader.seed = options.seed;
  return options;
}

const std::string& DataOptions::training_file() const {
  if (train.empty()) throw core::UserError("data.train: no training dataset set (data.train=FILE.npz)");
  return train;
}

std::vector<std::int64_t> training_clips(const SkeletonDataset& dataset, const DataOptions& options) {
  return subset_indices(dataset, options.train_split, options.fraction, options.seed);
}

namespace {

void require_same_kind(const SkeletonDataset& reference, const SkeletonDataset& other, const std::string& file) {
  if (other.topology != reference.topology) {
    throw core::UserError(fmt::format("{}: topology '{}' differs from data.train's '{}'", file, other.topology,
                                      reference.topology));
  }
  if (other.class_names != reference.class_names) {
    throw core::UserError(fmt::format("{}: its {} class names differ from data.train's {} (same classes, same order "
                                      "needed)", file, other.class_names.size(), reference.class_names.size()));
  }
}

// `wanted` of `pool`, in whole shuffled passes, so that no clip repeats before every clip is used.
std::vector<std::int64_t> draw_in_passes(const std::vector<std::int64_t>& pool, std::size_t wanted,
                                         std::mt19937_64& engine) {
  std::vector<std::int64_t> drawn;
  while (drawn.size() < wanted) {
    auto pass = pool;
    std::shuffle(pass.begin(), pass.end(), engine);
    pass.resize(std::min(pass.size(), wanted - drawn.size()));
    drawn.insert(drawn.end(), pass.begin(), pass.end());
  }
  return drawn;
}

}  // namespace

TrainingSet load_training_set(const DataOptions& options) {
  TrainingSet set;
  set.dataset = std::make_shared<SkeletonDataset>(load_dataset(options.training_file()));
  set.clips = training_clips(*set.dataset, options);
  set.real_clips = static_cast<std::int64_t>(set.clips.size());
  std::vector<std::int64_t> extra;
  for (const auto& file : options.extra) {
    const auto other = load_dataset(file);
    require_same_kind(*set.dataset, other, file);
    const auto first = static_cast<std::int64_t>(set.dataset->size());
    set.dataset->append(other);
    for (std::size_t i = 0; i < other.size(); ++i) extra.push_back(first + static_cast<std::int64_t>(i));
  }
  const double ratio = options.extra_ratio;
  if (!extra.empty() && ratio >= 0) {
    std::mt19937_64 engine(core::mix_seed(options.seed, 0xe7a, 0));
    if (options.extra_by_class) {
      const auto& labels = set.dataset->labels;
      std::vector<std::int64_t> real_per_class(set.dataset->class_names.size(), 0);
      std::vector<std::vector<std::int64_t>> extra_of_class(set.dataset->class_names.size());
      for (const auto clip : set.clips) ++real_per_class[static_cast<std::size_t>(labels[static_cast<std::size_t>(clip)])];
      for (const auto clip : extra) extra_of_class[static_cast<std::size_t>(labels[static_cast<std::size_t>(clip)])].push_back(clip);
      std::vector<std::int64_t> drawn;
      for (std::size_t c = 0; c < real_per_class.size(); ++c) {
        if (real_per_class[c] == 0) continue;
        if (extra_of_class[c].empty()) {
          set.classes_without_extra.push_back(set.dataset->class_names[c]);
          continue;
        }
        const auto wanted = static_cast<std::size_t>(std::llround(ratio * static_cast<double>(real_per_class[c])));
        const auto of_class = draw_in_passes(extra_of_class[c], wanted, engine);
        drawn.insert(drawn.end(), of_class.begin(), of_class.end());
      }
      extra = std::move(drawn);
    } else {
      extra = draw_in_passes(extra, static_cast<std::size_t>(std::llround(ratio * static_cast<double>(set.real_clips))),
                             engine);
    }
  }
  set.extra_clips = static_cast<std::int64_t>(extra.size());
  if (options.extra_only) {
    if (extra.empty()) throw core::UserError("data.extra_only: the data.extra files hold no clip to train on");
    set.clips.clear();
    set.real_clips = 0;
  }
  set.clips.insert(set.clips.end(), extra.begin(), extra.end());
  if (options.real_share > 0 && set.extra_clips > 0 && set.real_clips > 0) {
    // copies x real / (copies x real + extra) = share, rounded to whole copies (at least one).
    const double copies = options.real_share / (1 - options.real_share) * static_cast<double>(set.extra_clips) /
                          static_cast<double>(set.real_clips);
    set.real_copies = std::max<std::int64_t>(1, std::llround(copies));
    const std::vector<std::int64_t> real(set.clips.begin(), set.clips.begin() + set.real_clips);
    for (std::int64_t copy = 1; copy < set.real_copies; ++copy) {
      set.clips.insert(set.clips.end(), real.begin(), real.end());
    }
  }
  return set;
}

TestSet load_test_set(const DataOptions& options) {
  TestSet set;
  const auto& file = options.test.empty() ? options.training_file() : options.test;
  set.dataset = std::make_shared<SkeletonDataset>(load_dataset(file));
  if (!options.test_unused_only) {
    set.clips = subset_indices(*set.dataset, options.test_split, 1.0, 0);
  } else {
    if (!options.test.empty() && options.test != options.training_file()) {
      throw core::UserError(fmt::format("data.test_unused_only: data.test ({}) is another file than data.train ({}); "
                                        "unused clips are the training file's",
                                        options.test, options.training_file()));
    }
    set.clips = clips_outside(*set.dataset, options.test_split, training_clips(*set.dataset, options));
    if (set.clips.empty()) {
      throw core::UserError(fmt::format("data.test_unused_only: every clip of split '{}' is a training clip (data."
                                        "fraction {}); nothing is left to evaluate on",
                                        options.test_split, options.fraction));
    }
  }
  return set;
}

}  // namespace skelaug::data
