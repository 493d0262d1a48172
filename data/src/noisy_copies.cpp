#include "skelaug/data/noisy_copies.h"

#include <fmt/format.h>

#include <random>
#include <stdexcept>

#include "skelaug/core/seeding.h"

namespace skelaug::data {

SkeletonDataset noisy_copies(const SkeletonDataset& dataset, const std::vector<std::int64_t>& clips,
                             const NoisyCopyOptions& options) {
  if (options.copies < 1) throw std::invalid_argument("noisy_copies: copies must be at least 1");
  if (!(options.std >= 0)) throw std::invalid_argument("noisy_copies: the standard deviation must be >= 0");
  SkeletonDataset copies;
  copies.topology = dataset.topology;
  copies.fps = dataset.fps;
  copies.class_names = dataset.class_names;
  std::vector<float> frames;
  for (const auto clip : clips) {
    const auto index = static_cast<std::size_t>(clip);
    const auto values = static_cast<std::size_t>(dataset.frames(index) * dataset.num_joints() * 3);
    const float* original = dataset.clip_data(index);
    auto info = dataset.info(index);
    info.generation = {};
    const auto source = info.source.empty() ? fmt::format("clip {}", clip) : info.source;
    for (std::int64_t copy = 0; copy < options.copies; ++copy) {
      std::mt19937_64 engine(core::mix_seed(options.seed, static_cast<std::uint64_t>(clip),
                                            static_cast<std::uint64_t>(copy)));
      std::normal_distribution<double> noise(options.mean, options.std);
      frames.assign(original, original + values);
      for (auto& value : frames) value = static_cast<float>(value + noise(engine));
      info.source = fmt::format("{} (noisy copy {})", source, copy + 1);
      copies.add_clip(frames.data(), dataset.frames(index), dataset.labels[index], info);
    }
  }
  return copies;
}

}  // namespace skelaug::data
