#include "skelaug/training/exemplar_picker.h"

#include <fmt/format.h>

#include <stdexcept>

namespace skelaug::training {

ExemplarPicker::ExemplarPicker(const data::SkeletonDataset& dataset, const std::vector<std::int64_t>& clips)
    : by_class_(dataset.class_names.size()) {
  for (const auto clip : clips) {
    by_class_[static_cast<std::size_t>(dataset.labels[static_cast<std::size_t>(clip)])].push_back(clip);
  }
}

std::int64_t ExemplarPicker::pick(std::int64_t label, std::uint64_t seed) const {
  if (label < 0 || label >= static_cast<std::int64_t>(by_class_.size()) ||
      by_class_[static_cast<std::size_t>(label)].empty()) {
    throw std::invalid_argument(fmt::format("ExemplarPicker: no clip of class {} to pick", label));
  }
  const auto& members = by_class_[static_cast<std::size_t>(label)];
  return members[static_cast<std::size_t>(seed % members.size())];
}

}  // namespace skelaug::training
