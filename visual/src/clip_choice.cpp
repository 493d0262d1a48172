#include "skelaug/visual/clip_choice.h"

#include <fmt/format.h>

#include <stdexcept>

namespace skelaug::visual {

std::string clip_caption(const data::SkeletonDataset& dataset, std::int64_t clip) {
  if (clip < 0 || static_cast<std::size_t>(clip) >= dataset.size()) {
    throw std::out_of_range(fmt::format("clip {} of a dataset of {} clips", clip, dataset.size()));
  }
  const auto index = static_cast<std::size_t>(clip);
  const auto& class_name = dataset.class_names.at(static_cast<std::size_t>(dataset.labels[index]));
  const bool generated = !dataset.gen_seed.empty() && dataset.gen_seed[index] >= 0;
  if (!generated) return fmt::format("{} (real, clip {})", class_name, clip);
  const auto exemplar = dataset.gen_exemplar.empty() ? -1 : dataset.gen_exemplar[index];
  if (exemplar < 0) return fmt::format("{} (generated, clip {})", class_name, clip);
  return fmt::format("{} (generated from {})", class_name, exemplar);
}

std::vector<std::int64_t> first_clips_per_class(const data::SkeletonDataset& dataset, std::int64_t per_class) {
  if (per_class < 1) throw std::invalid_argument(fmt::format("clips per class {} is not >= 1", per_class));
  std::vector<std::vector<std::int64_t>> by_class(dataset.class_names.size());
  for (std::size_t clip = 0; clip < dataset.size(); ++clip) {
    auto& chosen = by_class.at(static_cast<std::size_t>(dataset.labels[clip]));
    if (static_cast<std::int64_t>(chosen.size()) < per_class) chosen.push_back(static_cast<std::int64_t>(clip));
  }
  std::vector<std::int64_t> clips;
  for (const auto& chosen : by_class) clips.insert(clips.end(), chosen.begin(), chosen.end());
  return clips;
}

}  // namespace skelaug::visual
