#pragma once

#include <string>
#include <vector>

#include "skelaug/training/training_world.h"

namespace skelaug::data {
struct SkeletonDataset;
}  // namespace skelaug::data

namespace skelaug::training {

// A fingerprint of the clips a rank trains on: their count, frames, labels and every coordinate, folded so that ranks
// holding different data (another file at the same path on another node, a different subset) disagree.
std::vector<double> training_set_fingerprint(const data::SkeletonDataset& dataset,
                                             const std::vector<std::int64_t>& clips);

// Every rank passes its `values`; unless all ranks passed the same, every rank throws core::UserError naming the first
// rank that differs from rank 0 and `what` ("the training clips (data.train, data.fraction, run.seed)"), so a job whose
// ranks disagree ends at once instead of training on silently different data. A collective.
void require_same_on_every_rank(const TrainingWorld& world, const std::vector<double>& values, const std::string& what);

}  // namespace skelaug::training
