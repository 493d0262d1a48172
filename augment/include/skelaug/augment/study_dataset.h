#pragma once

#include <filesystem>
#include <string>

#include "skelaug/augment/study_config.h"
#include "skelaug/data/skeleton_dataset.h"

namespace skelaug::augment {

// The split a subject-wise validation study (augment.validation_subjects) carves out of the training split.
inline constexpr const char* kValidationSplit = "validation";

// The dataset file every stage of the study reads: augment.data, or, in a subject-wise validation study, the copy its
// first stage writes (<directory>/validation_split.npz) in which the named subjects' training clips form the
// validation split.
std::filesystem::path study_data_file(const Study& study);

// The data the stages read, in memory: augment.data, with the validation split carved here when the study has one,
// so that planning and reporting need no stage to have run. A core::UserError naming augment.validation_subjects and
// the file when a subject has no training clip or no training clip would be left.
data::SkeletonDataset load_study_dataset(const Study& study);

// The clips no cell of the study trains on or chooses by, against which the feature recogniser is evaluated and the
// copying check measures nearness: a subject-wise validation study's validation split, the test split otherwise.
std::string unseen_split(const Study& study);

}  // namespace skelaug::augment
