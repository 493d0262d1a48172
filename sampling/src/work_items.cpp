#include "skelaug/sampling/work_items.h"

#include <fmt/format.h>

#include "skelaug/core/error.h"

namespace skelaug::sampling {

std::vector<WorkItem> per_class_items(const data::SkeletonDataset& dataset,
                                      const std::vector<std::int64_t>& exemplar_clips, std::int64_t per_class,
                                      bool use_exemplars, const char* what) {
  std::vector<std::vector<std::int64_t>> by_class(dataset.class_names.size());
  for (const auto clip : exemplar_clips) {
    by_class[static_cast<std::size_t>(dataset.labels[static_cast<std::size_t>(clip)])].push_back(clip);
  }
  std::vector<WorkItem> items;
  items.reserve(by_class.size() * static_cast<std::size_t>(std::max<std::int64_t>(per_class, 0)));
  for (std::size_t label = 0; label < by_class.size(); ++label) {
    const auto& members = by_class[label];
    if (use_exemplars && members.empty() && per_class > 0) {
      throw core::UserError(
          fmt::format("{}: class '{}' has no clip to serve as an exemplar", what, dataset.class_names[label]));
    }
    for (std::int64_t i = 0; i < per_class; ++i) {
      items.push_back({static_cast<std::int64_t>(label),
                       use_exemplars ? members[static_cast<std::size_t>(i) % members.size()] : -1});
    }
  }
  return items;
}

}  // namespace skelaug::sampling
