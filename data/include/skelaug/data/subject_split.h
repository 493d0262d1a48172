#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "skelaug/data/skeleton_dataset.h"

namespace skelaug::data {

// A split carved out of another by performer: the clips of `subjects` in split `from` move to split `to`, every
// other clip keeps its split. A validation split of whole people, so that settings are chosen on how a recogniser
// transfers to people it has not trained on, as the cross-subject test asks, rather than on other clips of the people
// it trained on. Throws core::UserError naming `where` (the file) when the dataset has no subject ids in `from`, when
// a named subject has no clip in `from`, when `to` is `from` or already names clips, or when no clip of `from` would
// be left.
struct SubjectSplitCounts {
  std::int64_t moved = 0;  // clips now in `to`
  std::int64_t kept = 0;   // clips left in `from`
};
SubjectSplitCounts split_by_subject(SkeletonDataset& dataset, const std::string& where, const std::string& from,
                                    const std::set<std::int64_t>& subjects, const std::string& to);

}  // namespace skelaug::data
