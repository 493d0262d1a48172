#include "skelaug/augment/study_dataset.h"

#include <fmt/format.h>

#include <set>

#include "skelaug/data/dataset_io.h"
#include "skelaug/data/subject_split.h"
#include "skelaug/data/transforms.h"

namespace skelaug::augment {

std::filesystem::path study_data_file(const Study& study) {
  return study.validates_on_subjects() ? study.directory / "validation_split.npz"
                                       : std::filesystem::path(study.data);
}

data::SkeletonDataset load_study_dataset(const Study& study) {
  auto dataset = data::load_dataset(study.data);
  if (study.validates_on_subjects()) {
    const std::set<std::int64_t> subjects(study.validation_subjects.begin(), study.validation_subjects.end());
    data::split_by_subject(dataset, fmt::format("augment.validation_subjects ({})", study.data), study.train_split,
                           subjects, kValidationSplit);
  }
  return dataset;
}

std::string unseen_split(const Study& study) {
  return study.validates_on_subjects() ? std::string(kValidationSplit) : study.test_split;
}

std::string reference_split(const Study& study) {
  return study.validates_on_left_out_clips() ? study.train_split : unseen_split(study);
}

std::vector<std::int64_t> held_out_clips(const Study& study, const data::SkeletonDataset& dataset,
                                         const std::vector<std::int64_t>& subset) {
  if (!study.validates_on_left_out_clips()) return data::subset_indices(dataset, unseen_split(study), 1.0, 0);
  return data::clips_outside(dataset, study.train_split, subset);
}

}  // namespace skelaug::augment
