// BlockGCN: Zhou, Yan, Cheng, Yan, Dai, Hua, "BlockGCN: Redefine Topology Awareness for Skeleton-Based Action
// Recognition", CVPR 2024.
//
// Network: per-joint linear embedding of the input channels plus a learned per-joint position embedding -> data
// batch-norm (per body slot, over the embedded channels) -> GCN units -> mean over real frames, joints and bodies ->
// classifier.
//
// Unit (in -> out, temporal stride s): out = ReLU(MS-TCN(BlockGC(x)) + residual(x)), residual = identity, or a strided
// 1x1 conv + BN when the shape changes. MS-TCN: the shared multi-scale temporal convolution (recognizer_common.h,
// kBranchNorm) with CTR-GCN's configuration: kernel 5, dilations 1 and 2, a max-pool and a 1x1 branch, out/4 channels
// each, no residual and no activation of its own.
//
// BlockGC, the topology-aware block graph convolution, x [B, C, T, V] -> [B, out, T, V]:
//   - channels are split into G = 8 groups ("blocks"); in each of 3 parallel subsets, every group aggregates over the
//     joints with its OWN graph A[s, g] ([V, V]) and is projected by its own weights (a grouped 1x1 conv: the weight
//     matrix is block-diagonal), so groups learn different relations at a fraction of a dense layer's parameters;
//   - A[s, g] = L / |L|_col + E / |E|_col (columns L2-normalised, + 1e-4), where
//       L  is a learnable adjacency, initialised to the identity (no skeleton edges are imposed: topology enters
//          through E), learned freely per subset and group;
//       E  is the static topology encoding: a learned embedding of the hop distance between the two joints
//          (E[v, w] = e[s, g, hop(v, w)], zero-initialised), i.e. an attention-style bias shared by all joint pairs
//          the same number of bones apart, which keeps the skeleton's structure without fixing the weights of edges;
//   - the subsets' projections are summed (one grouped conv over [group][subset][channel]), BN (weight initialised
//     1e-6, so each BlockGC starts as its own shortcut), + (identity or 1x1 conv + BN of x), ReLU.
//   Differences from the authors' code that change nothing learnable in kind: one bias for the summed subset
//   projections instead of one per subset; Kaiming-normal (fan out) convolutions and PYSKL's N(0, 0.01) classifier
//   (recognizer_common.h) instead of their N(0, sqrt(2 / classes)) classifier.
// NOT implemented: the paper's second, action-specific topology encoding by persistent homology (a Vietoris-Rips
// complex of the joints' mean pairwise distances, embedded by a structure-element layer and added to every unit's
// input). L above is learned but sample-independent; nothing in this file adapts the graph to the input clip.
//
// Sizes from RecognizerOptions. options.stages units (published 10). Unit widths follow the published layout: base
// for units 1-4, 2 base from unit 5 on (published base 128, i.e. 128 x 4 then 256 x 6: base_channels = 128 gives the
// published network); temporal stride 2 at units 5 and 8, the same positions as CTR-GCN. Fewer stages keep the first
// units of that layout; more repeat the last width with stride 1. Widths must be multiples of the 8 groups.
//
// Padded frames: every operation that mixes frames sees padded frames as zeros (recognizer_common.h's convention;
// padded frames are zeroed after the embedding, which would otherwise give them its bias), so in eval mode a clip's
// output depends neither on its padded frames' content nor on how far it is padded.

#include <fmt/format.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/linear.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <vector>

#include "recognizer_common.h"
#include "recognizer_factories.h"
#include "skelaug/data/topology.h"
#include "skelaug/models/skeleton_graph.h"

namespace skelaug::models {
namespace {

constexpr std::int64_t kGroups = 8;
constexpr std::int64_t kSubsets = 3;
constexpr std::int64_t kPublishedStages = 10;

// Unit i (0-based) of the published layout: its width and temporal stride.
std::int64_t unit_width(std::int64_t base, std::int64_t i) { return i < 4 ? base : 2 * base; }
std::int64_t unit_stride(std::int64_t i) { return i == 4 || i == 7 ? 2 : 1; }

// Divides every column (the weights one joint gathers with) by its L2 norm.
torch::Tensor normalise_columns(const torch::Tensor& graphs) {
  return graphs / (graphs.norm(2, {-2}, /*keepdim=*/true) + 1e-4);
}

class BlockGraphConvImpl : public torch::nn::Module {
 public:
  BlockGraphConvImpl(const data::Topology& topology, std::int64_t in_channels, std::int64_t out_channels) {
    const auto joints = static_cast<std::int64_t>(topology.num_joints());
    // Kept as a buffer so it follows the model to its device (a dtype conversion of the model turns it into
    // floats, hence the cast where it is used).
    hops_ = register_buffer("hops", hop_distance(topology).flatten());
    const auto distances = hops_.max().item<std::int64_t>() + 1;
    learned_ =
        register_parameter("learned_adjacency",
                           torch::eye(joints, torch::kFloat).expand({kSubsets, kGroups, joints, joints}).contiguous());
    hop_embedding_ = register_parameter("hop_embedding", torch::zeros({kSubsets, kGroups, distances}));
    projection_ = register_module(
        "projection",
        torch::nn::Conv2d(torch::nn::Conv2dOptions(kSubsets * in_channels, out_channels, 1).groups(kGroups)));
    norm_ = register_module("norm", SyncBatchNorm(out_channels));
    if (in_channels != out_channels) {
      down_ = register_module(
          "down", torch::nn::Sequential(torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, 1)),
                                        SyncBatchNorm(out_channels)));
    }
  }

  // After the model's Kaiming initialisation: a near-zero output scale, so the unit starts as its residual path.
  void quiet_output() {
    torch::NoGradGuard no_grad;
    norm_->weight.fill_(1e-6);
  }

  torch::Tensor forward(const torch::Tensor& x) {
    const auto b = x.size(0), c = x.size(1), t = x.size(2), v = x.size(3);
    const auto group_channels = c / kGroups;
    const auto topology_bias = hop_embedding_.index_select(2, hops_.to(torch::kLong)).view({kSubsets, kGroups, v, v});
    const auto graphs = normalise_columns(learned_) + normalise_columns(topology_bias);  // [S, G, V, V]
    // One large product per group, all subsets at once: [G, B c T, V] x [G, V, S V]. (A batch of B x G small
    // products instead would take the CPU's slow per-matrix bmm path.)
    const auto per_group = graphs.permute({1, 2, 0, 3}).reshape({kGroups, v, kSubsets * v});
    const auto grouped =
        x.view({b, kGroups, group_channels * t, v}).transpose(0, 1).reshape({kGroups, b * group_channels * t, v});
    const auto aggregated = torch::bmm(grouped, per_group)
                                .view({kGroups, b, group_channels, t, kSubsets, v})
                                .permute({1, 0, 4, 2, 3, 5})
                                .reshape({b, kGroups * kSubsets * group_channels, t, v});
    const auto residual = down_ ? down_->forward(x) : x;
    return torch::relu(norm_->forward(projection_->forward(aggregated)) + residual);
  }

 private:
  torch::Tensor hops_, learned_, hop_embedding_;
  torch::nn::Conv2d projection_{nullptr};
  SyncBatchNorm norm_{nullptr};
  torch::nn::Sequential down_{nullptr};
};
TORCH_MODULE(BlockGraphConv);

class BlockUnitImpl : public torch::nn::Module {
 public:
  BlockUnitImpl(const data::Topology& topology, std::int64_t in_channels, std::int64_t out_channels,
                std::int64_t stride)
      : stride_(stride) {
    graph_conv_ = register_module("graph_conv", BlockGraphConv(topology, in_channels, out_channels));
    MultiScaleTemporalOptions temporal_options;
    temporal_options.style = MultiScaleTemporalOptions::Style::kBranchNorm;
    temporal_options.kernel_size = 5;
    temporal_options.dilations = {1, 2};
    temporal_options.stride = stride;
    temporal_conv_ =
        register_module("temporal_conv", MultiScaleTemporalConv(out_channels, out_channels, temporal_options));
    if (in_channels != out_channels || stride != 1) {
      residual_ = register_module("residual", TemporalConv(in_channels, out_channels, 1, stride));
    }
  }

  std::int64_t stride() const { return stride_; }
  BlockGraphConv& graph_conv() { return graph_conv_; }

  // x [B, C, T, V] with its frame mask -> [B, out, ceil(T / stride), V].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& frame_mask) {
    const auto y = temporal_conv_->forward(graph_conv_->forward(x), frame_mask);
    return torch::relu(y + (residual_ ? residual_->forward(x, frame_mask) : x));
  }

 private:
  std::int64_t stride_;
  BlockGraphConv graph_conv_{nullptr};
  MultiScaleTemporalConv temporal_conv_{nullptr};
  TemporalConv residual_{nullptr};
};
TORCH_MODULE(BlockUnit);

class BlockGcnImpl : public RecognizerImpl {
 public:
  explicit BlockGcnImpl(const RecognizerOptions& options) : RecognizerImpl(options) {
    const auto& topology = data::topology(options_.topology);
    const auto joints = static_cast<std::int64_t>(topology.num_joints());
    const auto base = options_.base_channels;
    joint_embedding_ = register_module("joint_embedding", torch::nn::Linear(options_.in_channels(), base));
    joint_position_ = register_parameter("joint_position", torch::randn({joints, base}));
    data_norm_ = register_module("data_norm", DataNorm(options_.num_bodies, joints, base, /*per_body=*/true));
    auto in_channels = base;
    for (std::int64_t i = 0; i < options_.stages; ++i) {
      const auto out_channels = unit_width(base, i);
      units_.push_back(
          register_module(fmt::format("unit{}", i), BlockUnit(topology, in_channels, out_channels, unit_stride(i))));
      in_channels = out_channels;
    }
    features_ = in_channels;
    head_ = register_module("head", ClassifierHead(features_, options_.num_classes, options_.dropout));
  }

  // Kaiming-normal (fan out) convolutions, unit batch-norms, except the near-zero output scale of every BlockGC.
  // Called once the model is owned by a shared_ptr, which Module::modules() needs to include the model itself.
  void initialise() {
    init_conv_kaiming_fan_out(*this);
    for (auto& unit : units_) unit->graph_conv()->quiet_output();
  }

  torch::Tensor classify(const torch::Tensor& features) override { return head_->forward(features); }

  torch::Tensor embed(const torch::Tensor& input, const torch::Tensor& mask) override {
    check_recognizer_input(options_, input, mask);
    auto frame_mask = folded_frame_mask(mask, options_.num_bodies, input);
    // [N, M, T, V, C] -> [N, M, T, V, base]; the data norm zeroes padded frames again after the embedding's bias.
    const auto embedded = joint_embedding_->forward(input) + joint_position_;
    auto x = data_norm_->forward(embedded, frame_mask);
    for (auto& unit : units_) {
      x = unit->forward(x, frame_mask);
      frame_mask = stride_frame_mask(frame_mask, unit->stride());
    }
    return pool_clip(x, frame_mask, options_.num_bodies);
  }

 private:
  std::int64_t features_ = 0;
  torch::nn::Linear joint_embedding_{nullptr};
  torch::Tensor joint_position_;
  DataNorm data_norm_{nullptr};
  std::vector<BlockUnit> units_;
  ClassifierHead head_{nullptr};
};

}  // namespace

std::shared_ptr<RecognizerImpl> make_blockgcn(const RecognizerOptions& options) {
  if (options.base_channels % kGroups != 0) {
    throw std::invalid_argument(fmt::format(
        "blockgcn: base_channels must be a multiple of its {} channel groups, got {}", kGroups, options.base_channels));
  }
  auto model = std::make_shared<BlockGcnImpl>(options);
  model->initialise();
  return model;
}

}  // namespace skelaug::models
