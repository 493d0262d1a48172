#include "skelaug/models/generator_objective.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/functional/loss.h>
#include <torch/torch.h>

#include "skelaug/data/device_copy.h"
#include "skelaug/models/dropout.h"
#include "skelaug/models/skeleton_features.h"

namespace skelaug::models {
namespace {

// Child and parent joint indices of every bone, on `device`.
struct BoneIndex {
  torch::Tensor children;
  torch::Tensor parents;
};

BoneIndex bone_index(const std::vector<std::pair<int, int>>& edges, const torch::Device& device) {
  std::vector<std::int64_t> children, parents;
  for (const auto& [child, parent] : edges) {
    children.push_back(child);
    parents.push_back(parent);
  }
  return {data::to_device(torch::tensor(children, torch::kLong), device),
          data::to_device(torch::tensor(parents, torch::kLong), device)};
}

torch::Tensor bone_lengths(const torch::Tensor& joints, const BoneIndex& bones) {
  return (joints.index_select(-2, bones.children) - joints.index_select(-2, bones.parents)).norm(2, -1);  // [B, T, bones]
}

}  // namespace

GeneratorLoss generator_loss(Generator& model, const DiffusionSchedule& schedule, const torch::Tensor& clips,
                             const torch::Tensor& mask, const torch::Tensor& labels, const torch::Tensor& exemplar,
                             const torch::Tensor& exemplar_mask, const GeneratorLossWeights& weights,
                             const std::vector<std::pair<int, int>>& edges,
                             const std::vector<std::uint64_t>& sample_seeds) {
  const auto batch = clips.size(0);
  const auto device = clips.device();
  if (static_cast<std::int64_t>(sample_seeds.size()) != batch) {
    throw std::invalid_argument("generator_loss: one seed per row is needed");
  }
  // Drawn on the CPU from each row's own generator, then moved without waiting (data::to_device): the same on every
  // device and world size. Everything the step needs from the host is sent before the forward pass is launched.
  std::vector<torch::Tensor> timesteps, noises, draws;
  const auto row_shape = clips.sizes().slice(1).vec();
  for (const auto seed : sample_seeds) {
    auto generator = at::detail::createCPUGenerator(seed);
    timesteps.push_back(at::randint(0, schedule.steps(), {1}, generator, torch::TensorOptions().dtype(torch::kLong)));
    noises.push_back(at::randn(row_shape, generator, torch::TensorOptions().dtype(torch::kFloat)));
    draws.push_back(at::rand({1}, generator, torch::TensorOptions().dtype(torch::kFloat)));
  }
  const auto t = data::to_device(torch::cat(timesteps), device);
  const auto noise = data::to_device(torch::stack(noises), device).to(clips.scalar_type());
  const auto drop_draws = data::to_device(torch::cat(draws), device);
  const auto bones = weights.bone_length > 0 ? bone_index(edges, device) : BoneIndex{};
  const auto x_t = schedule.add_noise(clips, t, noise);

  auto condition_labels = labels;
  const auto& options = model->options();
  if (options.conditioning == Conditioning::kLabel && weights.condition_dropout > 0) {
    const auto dropped = drop_draws < weights.condition_dropout;
    condition_labels = torch::where(dropped, torch::full_like(labels, options.num_classes), labels);
  }
  // Every dropout mask of a row is keyed by the row's seed: the loss of a global batch is the same on any number of
  // ranks, dropout included.
  const DropoutRowSeeds row_seeds(sample_seeds);
  const auto x0 = model->forward(x_t, t, condition_labels, exemplar, exemplar_mask, mask);

  // Every term is a mean over clips of each clip's masked mean, so every clip weighs the same however many of its
  // frames are padding and whichever clips share its batch: the loss of a batch is the mean of its clips' losses, and
  // ranks holding equal numbers of clips average to exactly the global batch's gradient.
  const auto mean_of_clip_means = [](const torch::Tensor& weighted_squares, const torch::Tensor& weights_per_clip) {
    return (weighted_squares.flatten(1).sum(1) / weights_per_clip.clamp_min(1)).mean();
  };
  GeneratorLoss loss;
  const auto frame_weight = mask.unsqueeze(-1).to(x0.scalar_type());
  loss.reconstruction = mean_of_clip_means((x0 - clips).square() * frame_weight, frame_weight.flatten(1).sum(1) * x0.size(-1));
  loss.total = loss.reconstruction;
  if (weights.auxiliary > 0) {
    loss.auxiliary = torch::nn::functional::cross_entropy(
        model->classify(x0, mask), labels,
        torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(weights.label_smoothing));
    loss.total = loss.total + weights.auxiliary * loss.auxiliary;
  }
  if (weights.velocity > 0 && x0.size(1) > 1) {
    const auto length = x0.size(1) - 1;
    const auto pair_weight = frame_weight.narrow(1, 1, length) * frame_weight.narrow(1, 0, length);
    const auto difference = (x0.narrow(1, 1, length) - x0.narrow(1, 0, length)) -
                            (clips.narrow(1, 1, length) - clips.narrow(1, 0, length));
    loss.velocity = mean_of_clip_means(difference.square() * pair_weight, pair_weight.flatten(1).sum(1) * x0.size(-1));
    loss.total = loss.total + weights.velocity * loss.velocity;
  }
  if (weights.bone_length > 0) {
    const auto difference =
        bone_lengths(model->joints_from_normalised(x0), bones) - bone_lengths(model->joints_from_normalised(clips), bones);
    loss.bone_length = mean_of_clip_means(difference.square() * mask.unsqueeze(-1),
                                          mask.flatten(1).sum(1) * static_cast<double>(edges.size()));
    loss.total = loss.total + weights.bone_length * loss.bone_length;
  }
  return loss;
}

}  // namespace skelaug::models
