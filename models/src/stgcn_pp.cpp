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
    norm_ = register_module("norm", SyncBatchNorm(out_channels));
    if (in_channels != out_channels) {
      down_ = register_module(
          "down", torch::nn::Sequential(torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, 1)),
                                        SyncBatchNorm(out_channels)));
    }
  }

  // The frame mask is not needed: nothing here mixes frames.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& /*frame_mask*/) {
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
  SyncBatchNorm norm_{nullptr};
  torch::nn::Sequential down_{nullptr};
};
TORCH_MODULE(AdaptiveGraphConv);

// A stage: the adaptive graph convolution, then PYSKL's multi-branch temporal convolution (kernel 3, dilations 1-4).
using StgcnPlusPlusBlock = GcnStage<AdaptiveGraphConv>;

MultiScaleTemporalOptions stgcn_pp_temporal() {
  MultiScaleTemporalOptions temporal;
  temporal.style = MultiScaleTemporalOptions::Style::kPyskl;
  temporal.kernel_size = 3;
  temporal.dilations = {1, 2, 3, 4};
  return temporal;
}

// PYSKL's ST-GCN++ config keeps the default data_bn_type 'VC': input statistics shared by both bodies.
class StgcnPlusPlus : public StackedGcnRecognizer<StgcnPlusPlusBlock> {
 public:
  explicit StgcnPlusPlus(const RecognizerOptions& options) : StackedGcnRecognizer(options, /*per_body_norm=*/false) {
    const auto partition = spatial_partition(data::topology(options_.topology));
    const auto plan = gcn_stage_plan(options_);
    for (std::size_t i = 0; i < plan.size(); ++i) {
      add_block("block" + std::to_string(i + 1),
                StgcnPlusPlusBlock(plan[i], partition, stgcn_pp_temporal(), /*kaiming_fan_out=*/false));
    }
    add_head(plan.back().out_channels);
  }
};

}  // namespace

std::shared_ptr<RecognizerImpl> make_stgcn_pp(const RecognizerOptions& options) {
  return std::make_shared<StgcnPlusPlus>(options);
}

}  // namespace skelaug::models
