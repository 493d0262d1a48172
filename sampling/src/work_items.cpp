#include "skelaug/sampling/work_items.h"

#include <fmt/format.h>

#include "skelaug/core/error.h"
#include "skelaug/core/seeding.h"
#include "skelaug/data/transforms.h"

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
      items.push_back({static_cast<std::int64_t>(items.size()), static_cast<std::int64_t>(label),
                       use_exemplars ? members[static_cast<std::size_t>(i) % members.size()] : -1});
    }
  }
  return items;
}

std::vector<WorkItem> per_clip_items(const data::SkeletonDataset& dataset,
                                     const std::vector<std::int64_t>& exemplar_clips, std::int64_t per_clip,
                                     bool use_exemplars) {
  std::vector<WorkItem> items;
  items.reserve(exemplar_clips.size() * static_cast<std::size_t>(std::max<std::int64_t>(per_clip, 0)));
  for (const auto clip : exemplar_clips) {
    for (std::int64_t k = 0; k < per_clip; ++k) {
      items.push_back({static_cast<std::int64_t>(items.size()), dataset.labels[static_cast<std::size_t>(clip)],
                       use_exemplars ? clip : -1});
    }
  }
  return items;
}

std::vector<std::int64_t> exemplar_clips(const data::SkeletonDataset& dataset, const data::DataOptions& data,
                                         const std::string& exemplar_split) {
  if (exemplar_split.empty()) return data::training_clips(dataset, data);
  try {
    return data::subset_indices(dataset, exemplar_split == "*" ? std::string() : exemplar_split, 1.0, 0);
  } catch (const core::UserError& error) {
    throw core::UserError(fmt::format("sample.exemplar_split: {}", error.what()));
  }
}

std::int64_t item_seed(std::uint64_t seed, std::int64_t item, std::int64_t draw) {
  return static_cast<std::int64_t>(
      core::mix_seed(seed, static_cast<std::uint64_t>(item), static_cast<std::uint64_t>(draw)) >> 1);
}

}  // namespace skelaug::sampling
