#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

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

// The clips no cell of the study trains on, on which the recognisers of a test study or a subject-wise validation
// study are evaluated: that study's validation split, the test split otherwise.
std::string unseen_split(const Study& study);

// The split the feature recogniser is evaluated on (its `best` checkpoint is chosen there) and, in a validation study,
// the generation metrics compare generated sets with: the unseen split, or in a left-out-clip validation study the
// training split (each cell leaves out other clips, and such a study must read no test clip).
std::string reference_split(const Study& study);

// The clips a cell whose recognisers train on `subset` (of the training split) is evaluated on, to which the copying
// check measures nearness: the training clips outside `subset` in a left-out-clip validation study, every clip of the
// unseen split otherwise.
std::vector<std::int64_t> held_out_clips(const Study& study, const data::SkeletonDataset& dataset,
                                         const std::vector<std::int64_t>& subset);

}  // namespace skelaug::augment
