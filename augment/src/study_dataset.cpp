#include "skelaug/augment/study_dataset.h"

#include <fmt/format.h>

#include <set>

#include "skelaug/data/dataset_io.h"
#include "skelaug/data/subject_split.h"

namespace skelaug::augment {

std::filesystem::path study_data_file(const Study& study) {
  return study.validation_subjects.empty() ? std::filesystem::path(study.data)
                                           : study.directory / "validation_split.npz";
}

data::SkeletonDataset load_study_dataset(const Study& study) {
  auto dataset = data::load_dataset(study.data);
  if (!study.validation_subjects.empty()) {
    const std::set<std::int64_t> subjects(study.validation_subjects.begin(), study.validation_subjects.end());
    data::split_by_subject(dataset, fmt::format("augment.validation_subjects ({})", study.data), study.train_split,
                           subjects, kValidationSplit);
  }
  return dataset;
}

std::string unseen_split(const Study& study) {
  return study.validation_subjects.empty() ? study.test_split : std::string(kValidationSplit);
}

}  // namespace skelaug::augment
