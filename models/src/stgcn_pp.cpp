// ST-GCN++ (Duan et al., PYSKL 2022): ST-GCN with a learnable graph initialised from the spatial partition, a residual
// around the graph convolution, and a multi-branch temporal convolution.

#include <torch/nn/modules/activation.h>

#include "recognizer_common.h"
#include "recognizer_factories.h"
#include "skelaug/data/topology.h"
#include "skelaug/models/skeleton_graph.h"

namespace skelaug::models {
namespace {

// Graph convolution with PYSKL's adaptive = 'init', conv_pos = 'pre', with_res = true: a 1x1 convolution to
// K x out channels first (one slice per partition subset), then aggregation over joints with that subset's graph,
// summed over subsets. The graph A [K, V, V] is a parameter initialised from the spatial partition and trained freely.
//   y = ReLU(BN(sum_k conv_k(x) A_k) + down(x)).
class AdaptiveGraphConvImpl : public torch::nn::Module {
 public:
  AdaptiveGraphConvImpl(std::int64_t in_channels, std::int64_t out_channels, const torch::Tensor& partition)
      : subsets_(partition.size(0)) {
    graph_ = register_parameter("graph", partition.clone());
    conv_ = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels * subsets_, 1)));
    norm_ = register_module("norm", torch::nn::BatchNorm2d(out_channels));
    if (in_channels != out_channels) {
      down_ = register_module(
          "down", torch::nn::Sequential(torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, 1)),
                                        torch::nn::BatchNorm2d(out_channels)));
    }
  }

  torch::Tensor forward(const torch::Tensor& x) {
    const auto b = x.size(0), t = x.size(2), v = x.size(3);
    const auto per_subset = conv_->forward(x).view({b, subsets_, -1, t, v});
    const auto aggregated = torch::einsum("bkctv,kvw->bctw", {per_subset, graph_});
    const auto residual = down_ ? down_->forward(x) : x;
    return torch::relu(norm_->forward(aggregated) + residual);
  }

 private:
  std::int64_t subsets_;
  torch::Tensor graph_;
  torch::nn::Conv2d conv_{nullptr};
  torch::nn::BatchNorm2d norm_{nullptr};
  torch::nn::Sequential down_{nullptr};
};
TORCH_MODULE(AdaptiveGraphConv);

// One stage: graph convolution, then the multi-branch temporal convolution (with the stage's stride), plus the
// stage residual (none at stage 1, identity when shapes match, else a strided 1x1 convolution with BN), then ReLU.
class StgcnPlusPlusBlockImpl : public torch::nn::Module {
 public:
  StgcnPlusPlusBlockImpl(const StageSpec& stage, const torch::Tensor& partition)
      : stride_(stage.stride), residual_(stage.residual) {
    graph_conv_ = register_module("graph_conv", AdaptiveGraphConv(stage.in_channels, stage.out_channels, partition));
    MultiScaleTemporalOptions temporal;
    temporal.style = MultiScaleTemporalOptions::Style::kPyskl;
    temporal.kernel_size = 3;
    temporal.dilations = {1, 2, 3, 4};
    temporal.stride = stage.stride;
    temporal_conv_ = register_module("temporal_conv",
                                     MultiScaleTemporalConv(stage.out_channels, stage.out_channels, temporal));
    if (stage.residual && (stage.in_channels != stage.out_channels || stage.stride != 1)) {
      projection_ = register_module("projection",
                                    TemporalConv(stage.in_channels, stage.out_channels, 1, stage.stride));
    }
  }

  // x [B, C, T, V] with its frame mask -> [B, out, ceil(T / stride), V].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& frame_mask) {
    auto y = temporal_conv_->forward(graph_conv_->forward(x), frame_mask);
    if (residual_) y = y + (projection_ ? projection_->forward(x, frame_mask) : x);
    return torch::relu(y);
  }

  std::int64_t stride() const { return stride_; }

 private:
  std::int64_t stride_;
  bool residual_;
  AdaptiveGraphConv graph_conv_{nullptr};
  MultiScaleTemporalConv temporal_conv_{nullptr};
  TemporalConv projection_{nullptr};
};
TORCH_MODULE(StgcnPlusPlusBlock);

// PYSKL's ST-GCN++ config keeps the default data_bn_type 'VC': input statistics shared by both bodies.
class StgcnPlusPlus : public StackedGcnRecognizer<StgcnPlusPlusBlock> {
 public:
  explicit StgcnPlusPlus(const RecognizerOptions& options) : StackedGcnRecognizer(options, /*per_body_norm=*/false) {
    const auto partition = spatial_partition(data::topology(options_.topology));
    const auto plan = gcn_stage_plan(options_);
    for (std::size_t i = 0; i < plan.size(); ++i) {
      add_block("block" + std::to_string(i + 1), StgcnPlusPlusBlock(plan[i], partition));
    }
    add_head(plan.back().out_channels);
  }
};

}  // namespace

std::shared_ptr<RecognizerImpl> make_stgcn_pp(const RecognizerOptions& options) {
  return std::make_shared<StgcnPlusPlus>(options);
}

}  // namespace skelaug::models
