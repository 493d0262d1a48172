#include "skelaug/augment/study_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "skelaug/core/config.h"
#include "skelaug/core/config_schema.h"
#include "skelaug/core/error.h"

namespace skelaug::augment {

const std::vector<std::string>& arm_names() {
  static const std::vector<std::string> names{"real",
                                              "real_matched",
                                              "classic",
                                              "noise",
                                              "generated",
                                              "generated_classic",
                                              "generated_noise",
                                              "generated_no_refine",
                                              "generated_no_dropout",
                                              "generated_label",
                                              "generated_only",
                                              "generated_pretrained"};
  return names;
}

void add_augment_config_keys(core::Schema& schema) {
  schema.add_string("augment.dir", "",
                    "the study's directory; empty = runs/<study config name> (runs/<name>_validation for a "
                    "validation study)")
      .add_string("augment.data", "", "the real dataset file (.npz) the study draws its subsets from")
      .add_string("augment.train_split", "train", "its training split (subsets, generators and exemplars)")
      .add_string("augment.test_split", "test", "its held-out split (every recogniser is evaluated on it)")
      .add_bool("augment.validation", false,
                "evaluate every recogniser on the training clips its cell leaves out instead of the held-out split "
                "(a validation study for choosing settings; fractions below 1 unless augment.validation_subjects "
                "names the validation set)")
      .add_int_list("augment.validation_subjects", {}, 0, 1000000000,
                    "with augment.validation: these subjects' training clips are the validation set instead, and the "
                    "cells draw their subsets from the other training subjects (any fraction): settings chosen on how "
                    "a recogniser transfers to new people, as the cross-subject test asks")
      .add_float_list("augment.fractions", {0.1, 1.0}, 1e-6, 1.0, "fractions of each class's training clips")
      .add_int_list("augment.seeds", {1, 2, 3}, 0, 2147483647,
                    "seeds: each draws its own subset, generator and recogniser initialisation")
      .add_int("augment.ratio", 5, 1, 1000, "generated (or noisy) clips per real clip (the paper: 5)")
      .add_float("augment.real_share", 0.0, 0.0, 0.99,
                 "the noise and generated arms repeat their real clips to about this share of each epoch "
                 "(data.real_share), still for the matched steps; 0 = each real clip once, 1 / (1 + ratio) real")
      .add_bool("augment.extra_by_class", false,
                "the noise and generated arms draw their extra clips class by class (data.extra_by_class), `ratio` "
                "per real clip of each class, for the matched steps: refinement's uneven rejections do not change "
                "the class proportions")
      .add_int("augment.ranks", 1, 1, 4096, "MPI ranks of every training and sampling stage")
      .add_string_list("augment.arms", arm_names(),
                       "the arms, any of: real, real_matched, classic, noise, generated, generated_classic, "
                       "generated_noise, generated_no_refine, generated_no_dropout, generated_label, generated_only, "
                       "generated_pretrained")
      .add_string("augment.generator.config", "", "the generator's config (trained per cell on the cell's subset)")
      .add_string_list("augment.generator.overrides", {}, "key=value overrides of every generator")
      .add_string_list("augment.generator.label_overrides", {},
                       "further overrides of the label-conditioned generator (generated_label)")
      .add_string_list("augment.sample.overrides", {},
                       "sampling settings (sample.* key=value) of the generated sets: sampler, dropout, refinement")
      .add_bool("augment.sample.refine_with_cell_recognizer", true,
                "refinement's confidence check scores clips with the cell's `real` recogniser (the first recogniser)")
      .add_string_list("augment.recognizers", {}, "recogniser configs; each trains every arm of every cell")
      .add_string_list("augment.recognizer_overrides", {}, "key=value overrides of every recogniser")
      .add_string_list("augment.classic_overrides", {},
                       "the classic arm's augmentations, e.g. data.augment.rotation_deg=15 data.augment.scale=0.1")
      .add_string_list("augment.finetune_overrides", {},
                       "key=value overrides of generated_pretrained's run on the real clips after pretraining, e.g. "
                       "train.lr=0.01 for a gentler start from the pretrained weights")
      .add_float("augment.noise_mean", 0.02, -10.0, 10.0, "the noise arm's Gaussian mean, metres")
      .add_float("augment.noise_std", 0.05, 0.0, 10.0, "the noise arm's Gaussian standard deviation, metres")
      .add_string("augment.features.config", "",
                  "the feature recogniser's config (a2m_gru) for the generated sets' FID, trained once on the whole "
                  "training split")
      .add_string_list("augment.features.overrides", {}, "key=value overrides of the feature recogniser");
}

bool Study::has_arm(const std::string& arm) const { return std::find(arms.begin(), arms.end(), arm) != arms.end(); }

namespace {

template <typename T>
void require_distinct(const std::vector<T>& values, const char* key) {
  const std::set<T> distinct(values.begin(), values.end());
  if (distinct.size() != values.size()) throw core::UserError(fmt::format("{}: a value is listed twice", key));
  if (values.empty()) throw core::UserError(fmt::format("{}: empty", key));
}

void require_set(const std::string& value, const char* key, const char* why) {
  if (value.empty()) throw core::UserError(fmt::format("{}: not set ({})", key, why));
}

}  // namespace

Study study_from_config(const core::Config& config, const std::filesystem::path& file) {
  Study study;
  study.name = file.stem().string();
  study.validation = config.get_bool("augment.validation");
  // A validation study trains the same recognisers against other clips: its own directory, never the test study's.
  const auto& dir = config.get_string("augment.dir");
  study.directory = dir.empty() ? std::filesystem::path("runs") / (study.name + (study.validation ? "_validation" : ""))
                                : std::filesystem::path(dir);
  study.validation_subjects = config.get_int_list("augment.validation_subjects");
  study.data = config.get_string("augment.data");
  study.train_split = config.get_string("augment.train_split");
  study.test_split = config.get_string("augment.test_split");
  study.fractions = config.get_float_list("augment.fractions");
  study.seeds = config.get_int_list("augment.seeds");
  study.ratio = config.get_int("augment.ratio");
  study.real_share = config.get_float("augment.real_share");
  study.extra_by_class = config.get_bool("augment.extra_by_class");
  study.ranks = static_cast<int>(config.get_int("augment.ranks"));
  study.arms = config.get_string_list("augment.arms");
  study.generator_config = config.get_string("augment.generator.config");
  study.generator_overrides = config.get_string_list("augment.generator.overrides");
  study.label_generator_overrides = config.get_string_list("augment.generator.label_overrides");
  study.sample_overrides = config.get_string_list("augment.sample.overrides");
  study.refine_with_cell_recognizer = config.get_bool("augment.sample.refine_with_cell_recognizer");
  study.recognizer_configs = config.get_string_list("augment.recognizers");
  study.recognizer_overrides = config.get_string_list("augment.recognizer_overrides");
  study.classic_overrides = config.get_string_list("augment.classic_overrides");
  study.finetune_overrides = config.get_string_list("augment.finetune_overrides");
  study.noise_mean = config.get_float("augment.noise_mean");
  study.noise_std = config.get_float("augment.noise_std");
  study.feature_config = config.get_string("augment.features.config");
  study.feature_overrides = config.get_string_list("augment.features.overrides");

  require_set(study.data, "augment.data", "the real dataset file");
  require_set(study.train_split, "augment.train_split", "the split subsets are drawn from");
  require_set(study.test_split, "augment.test_split", "the held-out split");
  require_distinct(study.fractions, "augment.fractions");
  require_distinct(study.seeds, "augment.seeds");
  require_distinct(study.arms, "augment.arms");
  require_distinct(study.recognizer_configs, "augment.recognizers");
  if (study.validates_on_subjects()) {
    if (!study.validation) {
      throw core::UserError("augment.validation_subjects: set, but augment.validation is false (a study with "
                            "validation subjects is a validation study; set both)");
    }
    require_distinct(study.validation_subjects, "augment.validation_subjects");
  }
  if (study.validates_on_left_out_clips() &&
      std::any_of(study.fractions.begin(), study.fractions.end(), [](double fraction) { return fraction >= 1; })) {
    throw core::UserError("augment.fractions: a validation study (augment.validation) needs fractions below 1: the "
                          "clips a cell leaves out are its validation set (or name augment.validation_subjects)");
  }
  for (const auto& arm : study.arms) {
    if (std::find(arm_names().begin(), arm_names().end(), arm) == arm_names().end()) {
      throw core::UserError(fmt::format("augment.arms: unknown arm '{}'", arm));
    }
  }
  if (!study.has_arm("real")) {
    throw core::UserError("augment.arms: `real` is required (every other arm is compared with it)");
  }
  std::set<std::string> recognizer_names;
  for (const auto& recognizer : study.recognizer_configs) {
    if (!recognizer_names.insert(std::filesystem::path(recognizer).stem().string()).second) {
      throw core::UserError(
          fmt::format("augment.recognizers: two configs named '{}' (their file names name the run directories)",
                      std::filesystem::path(recognizer).stem().string()));
    }
  }
  const bool generated = std::any_of(study.arms.begin(), study.arms.end(),
                                     [](const std::string& arm) { return arm.rfind("generated", 0) == 0; });
  if (generated) {
    require_set(study.generator_config, "augment.generator.config", "the generated arms need a generator");
    require_set(study.feature_config, "augment.features.config",
                "the generated sets' FID, accuracy and diversity need a feature recogniser");
  }
  for (const std::string arm : {"classic", "generated_classic"}) {
    if (study.has_arm(arm) && study.classic_overrides.empty()) {
      throw core::UserError(
          fmt::format("augment.classic_overrides: empty, but the {} arm needs its augmentations", arm));
    }
  }
  for (const auto& setting : study.sample_overrides) {
    if (setting.rfind("sample.", 0) != 0) {
      throw core::UserError(fmt::format("augment.sample.overrides: '{}' is not a sample.* setting", setting));
    }
    // `auto` sets the confidence thresholds on the refining recogniser's held-out clips: the test split here.
    if (setting.rfind("sample.refine.min_confidence=", 0) == 0 && setting.find("auto") != std::string::npos) {
      throw core::UserError(
          "augment.sample.overrides: sample.refine.min_confidence=auto would choose thresholds on the held-out "
          "split; give a number");
    }
    if (setting.rfind("sample.refine.recognizer=", 0) == 0) {
      throw core::UserError(
          "augment.sample.overrides: sample.refine.recognizer is the study's to set "
          "(augment.sample.refine_with_cell_recognizer): a recogniser trained on other clips would leak them");
    }
  }
  return study;
}

}  // namespace skelaug::augment
