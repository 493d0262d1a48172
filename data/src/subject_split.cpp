#include "skelaug/data/subject_split.h"

#include <fmt/format.h>

#include "skelaug/core/error.h"

namespace skelaug::data {

SubjectSplitCounts split_by_subject(SkeletonDataset& dataset, const std::string& where, const std::string& from,
                                    const std::set<std::int64_t>& subjects, const std::string& to) {
  const auto fail = [&](const std::string& what) { throw core::UserError(fmt::format("{}: {}", where, what)); };
  if (subjects.empty()) fail("no subject named to move");
  if (to.empty() || to == from) fail(fmt::format("the new split's name must be neither empty nor '{}'", from));
  if (dataset.split.size() != dataset.size()) fail("the clips have no split ('split' column) to carve from");
  if (dataset.subject.size() != dataset.size()) fail("the clips have no subject ids ('subject' column)");
  std::set<std::int64_t> present;
  for (std::size_t clip = 0; clip < dataset.size(); ++clip) {
    if (dataset.split[clip] == to) fail(fmt::format("split '{}' already names clips (clip {})", to, clip));
    if (dataset.split[clip] == from) present.insert(dataset.subject[clip]);
  }
  for (const auto subject : subjects) {
    if (present.count(subject) == 0) fail(fmt::format("subject {} has no clip in split '{}'", subject, from));
  }
  SubjectSplitCounts counts;
  for (std::size_t clip = 0; clip < dataset.size(); ++clip) {
    if (dataset.split[clip] != from) continue;
    if (subjects.count(dataset.subject[clip]) != 0) {
      dataset.split[clip] = to;
      ++counts.moved;
    } else {
      ++counts.kept;
    }
  }
  if (counts.kept == 0) fail(fmt::format("moving these subjects would leave split '{}' without clips", from));
  return counts;
}

}  // namespace skelaug::data
