#include "skelaug/training/exemplar_picker.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace skelaug::training {

ExemplarPicker::ExemplarPicker(const data::SkeletonDataset& dataset, const std::vector<std::int64_t>& clips)
    : by_class_(dataset.class_names.size()) {
  for (const auto clip : clips) {
    by_class_[static_cast<std::size_t>(dataset.labels[static_cast<std::size_t>(clip)])].push_back(clip);
  }
}

const std::vector<std::int64_t>& ExemplarPicker::members(std::int64_t label) const {
  if (label < 0 || label >= static_cast<std::int64_t>(by_class_.size()) ||
      by_class_[static_cast<std::size_t>(label)].empty()) {
    throw std::invalid_argument(fmt::format("ExemplarPicker: no clip of class {} to pick", label));
  }
  return by_class_[static_cast<std::size_t>(label)];
}

std::int64_t ExemplarPicker::pick_other_than(std::int64_t self, std::int64_t label, std::uint64_t seed) const {
  const auto& clips = members(label);
  const auto position = std::find(clips.begin(), clips.end(), self);
  if (position == clips.end() || clips.size() == 1) return clips[static_cast<std::size_t>(seed % clips.size())];
  // Draw among the k - 1 others: index i of the others is i, or i + 1 from `self`'s place on.
  const auto own = static_cast<std::size_t>(position - clips.begin());
  auto index = static_cast<std::size_t>(seed % (clips.size() - 1));
  if (index >= own) ++index;
  return clips[index];
}

}  // namespace skelaug::training
