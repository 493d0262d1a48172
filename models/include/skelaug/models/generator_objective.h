#pragma once

#include <torch/types.h>

#include "skelaug/models/diffusion.h"
#include "skelaug/models/generator.h"

namespace skelaug::models {

struct GeneratorLossWeights {
  double auxiliary = 1.0;          // label-smoothed cross-entropy of the auxiliary classifier on the predicted x0
  double label_smoothing = 0.1;
  double velocity = 0.0;           // masked L2 of frame-to-frame differences
  double bone_length = 0.0;        // L2 of bone lengths (in metres) against the real clip's
  double condition_dropout = 0.1;  // label mode: probability of training a sample without its label (guidance)
};

struct GeneratorLoss {
  torch::Tensor total;
  torch::Tensor reconstruction, auxiliary, velocity, bone_length;
};

// One diffusion training step's loss: random timesteps, noised clips, x0 prediction, masked L2 on x0 plus the
// weighted auxiliary, velocity and bone-length terms, each the mean over clips of the clip's masked mean (every clip
// weighs the same, padded or not). `clips` are normalised features [B, T, F] with `mask` [B, T];
// `edges` is the topology's (child, parent) list for the bone term. Each row's timestep, noise and condition dropout
// come from its own seed (`sample_seeds`, one per row: the caller derives them from the step and the clip), so the
// gradient of a global batch does not depend on how many ranks share it.
GeneratorLoss generator_loss(Generator& model, const DiffusionSchedule& schedule, const torch::Tensor& clips,
                             const torch::Tensor& mask, const torch::Tensor& labels, const torch::Tensor& exemplar,
                             const torch::Tensor& exemplar_mask, const GeneratorLossWeights& weights,
                             const std::vector<std::pair<int, int>>& edges,
                             const std::vector<std::uint64_t>& sample_seeds);

}  // namespace skelaug::models
