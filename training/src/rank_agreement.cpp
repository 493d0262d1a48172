#include "skelaug/training/rank_agreement.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "skelaug/core/error.h"
#include "skelaug/core/seeding.h"
#include "skelaug/data/skeleton_dataset.h"

namespace skelaug::training {

std::vector<double> training_set_fingerprint(const data::SkeletonDataset& dataset,
                                             const std::vector<std::int64_t>& clips) {
  double frames = 0, coordinate_sum = 0, weighted_sum = 0;
  std::uint64_t identity = 0;
  const auto values_per_frame = static_cast<std::size_t>(dataset.num_joints()) * 3;
  for (const auto clip : clips) {
    const auto index = static_cast<std::size_t>(clip);
    identity = core::mix_seed(identity, static_cast<std::uint64_t>(clip),
                              static_cast<std::uint64_t>(dataset.labels[index]));
    const auto count = static_cast<std::size_t>(dataset.frames(index)) * values_per_frame;
    const float* values = dataset.clip_data(index);
    frames += static_cast<double>(dataset.frames(index));
    for (std::size_t i = 0; i < count; ++i) {
      coordinate_sum += values[i];
      weighted_sum += values[i] * static_cast<double>(i % 7 + 1);  // a permuted clip changes this one
    }
  }
  // The 64-bit identity split into two exact doubles.
  return {static_cast<double>(clips.size()), frames, coordinate_sum, weighted_sum,
          static_cast<double>(identity >> 32), static_cast<double>(identity & 0xffffffffULL)};
}

void require_same_on_every_rank(const TrainingWorld& world, const std::vector<double>& values,
                                 const std::string& what) {
  const auto mine = torch::tensor(values, torch::kDouble);
  const auto all = world.communicator.all_gather(mine.to(world.device)).cpu();
  for (std::int64_t rank = 1; rank < all.size(0); ++rank) {
    if (!torch::equal(all[rank], all[0])) {
      throw core::UserError(fmt::format("ranks disagree on {}: rank {} has other values than rank 0 (the same "
                                        "files and config on every node?)",
                                        what, rank));
    }
  }
}

}  // namespace skelaug::training
