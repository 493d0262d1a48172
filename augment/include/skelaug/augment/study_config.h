#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace skelaug::core {
class Config;
class Schema;
}  // namespace skelaug::core

namespace skelaug::augment {

// The arms of a study: what each recogniser of a cell (one fraction, one seed) trains on.
//   real                  the cell's real clips only
//   real_matched          the same clips for as many optimiser steps as the generated arms (more epochs)
//   classic               the same clips with the classic augmentations, for as many steps as the generated arms
//   noise                 real clips plus `ratio` noisy copies of each (Gaussian, augment.noise_mean/std)
//   generated             real plus `ratio` generated clips per real clip (augment.sample_overrides, refinement on)
//   generated_classic     the generated arm with the classic arm's augmentations on every clip, real or generated
//   generated_noise       the generated arm with the noise arm's noisy copies in the same pool of extra clips
//   generated_no_refine   ... with every refinement check off
//   generated_no_dropout  ... with sample.dropout 0
//   generated_label       ... from a generator conditioned on the label alone
//   generated_only        the generated clips alone, for as many steps as the generated arm
//   generated_pretrained  pretrained on the generated clips alone, then trained on the real clips as `real` is; the
//                         two runs together take the generated arm's steps
const std::vector<std::string>& arm_names();

// The `augment` section of a study config.
void add_augment_config_keys(core::Schema& schema);

struct Study {
  std::string name;                 // the study config's file name without extension
  std::filesystem::path directory;  // augment.dir, or runs/<name>
  std::string data;                 // the real dataset file
  std::string train_split;
  std::string test_split;
  // Recognisers evaluate on the training split's clips their cell does not train on instead of the held-out split:
  // a validation study, for choosing settings without looking at the test split (fractions below 1 only).
  bool validation = false;
  // With validation: the subjects whose training clips are the validation split (augment/study_dataset.h), instead of
  // the clips each cell leaves out; the cells draw their subsets from the other training subjects (any fraction).
  std::vector<std::int64_t> validation_subjects;
  // The two kinds of validation study: whole subjects held out, or the clips each cell leaves out.
  bool validates_on_subjects() const { return !validation_subjects.empty(); }
  bool validates_on_left_out_clips() const { return validation && validation_subjects.empty(); }
  std::vector<double> fractions;
  std::vector<std::int64_t> seeds;
  std::int64_t ratio = 5;  // generated (or noisy) clips per real clip
  double real_share = 0;   // > 0: arms with extra clips repeat their real clips to this share (data.real_share)
  bool extra_by_class = false;  // arms with extra clips draw them class by class (data.extra_by_class)
  int ranks = 1;           // MPI ranks of the training and sampling stages
  std::vector<std::string> arms;

  std::string generator_config;
  std::vector<std::string> generator_overrides;
  std::vector<std::string> label_generator_overrides;
  std::vector<std::string> sample_overrides;
  bool refine_with_cell_recognizer = true;  // sample.refine.recognizer = the cell's `real` run (first recogniser)

  std::vector<std::string> recognizer_configs;
  std::vector<std::string> recognizer_overrides;
  std::vector<std::string> classic_overrides;
  std::vector<std::string> finetune_overrides;  // generated_pretrained's run on the real clips
  double noise_mean = 0.02;
  double noise_std = 0.05;

  std::string feature_config;  // the FID feature recogniser (a2m_gru), trained once on the whole training split
  std::vector<std::string> feature_overrides;

  bool has_arm(const std::string& arm) const;
};

// The study of `config` (read from `file`): a core::UserError naming the augment.* key for an unknown arm, a missing
// section, a fraction or seed listed twice, or settings an arm needs and does not have.
Study study_from_config(const core::Config& config, const std::filesystem::path& file);

}  // namespace skelaug::augment
