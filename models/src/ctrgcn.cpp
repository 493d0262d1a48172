// CTR-GCN (Chen et al., ICCV 2021): channel-wise topology refinement graph convolution. Every output channel gets its
// own graph per sample: the shared (trained) topology of each partition subset plus alpha times a refinement built
// from pairwise differences of temporally pooled, channel-reduced joint features.

#include <torch/nn/modules/activation.h>

#include "recognizer_common.h"
#include "recognizer_factories.h"
#include "skelaug/data/topology.h"
#include "skelaug/models/skeleton_graph.h"

namespace skelaug::models {
namespace {

// Channel-wise topology refinement for all K subsets at once. The paper's K separate CTRGC units are fused into
// convolutions with K slices of channels (the refinement expansion is a grouped convolution, one group per subset):
// the same parameters and arithmetic, a few large kernels instead of many small ones. For subset k:
//   m = masked mean over time of x;  r_k[u, v] = tanh(phi_k(m)[u] - psi_k(m)[v])   (R reduced channels)
//   A_k(c)[u, v] = alpha * xi_k(r_k)[c, u, v] + A_k[u, v]                        (C output channels)
//   y[c, t, v] = sum_k sum_u A_k(c)[u, v] * value_k(x)[c, t, u]
// then BN, the residual (1x1 conv + BN when channels change) and ReLU.
class ChannelTopologyGraphConvImpl : public torch::nn::Module {
 public:
  ChannelTopologyGraphConvImpl(std::int64_t in_channels, std::int64_t out_channels, const torch::Tensor& partition)
      : subsets_(partition.size(0)), out_channels_(out_channels) {
    // The paper's reduction: 8 relation channels for the raw input streams, in_channels / 8 deeper.
    reduced_ = in_channels <= 16 ? 8 : in_channels / 8;
    const auto k = subsets_;
    graph_ = register_parameter("graph", partition.clone());
    alpha_ = register_parameter("alpha", torch::zeros({1}));
    query_ = register_module("query", torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, k * reduced_, 1)));
    key_ = register_module("key", torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, k * reduced_, 1)));
    value_ = register_module("value", torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, k * out_channels, 1)));
    expand_ = register_module(
        "expand", torch::nn::Conv2d(torch::nn::Conv2dOptions(k * reduced_, k * out_channels, 1).groups(k)));
    norm_ = register_module("norm", SyncBatchNorm(out_channels));
    if (in_channels != out_channels) {
      down_ = register_module(
          "down", torch::nn::Sequential(torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, 1)),
                                        SyncBatchNorm(out_channels)));
    }
    init_conv_kaiming_fan_out(*this);
    // CTR-GCN starts each unit's output BN near zero, so a fresh block is close to its residual.
    torch::NoGradGuard no_grad;
    norm_->weight.fill_(1e-6);
  }

  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& frame_mask) {
    const auto b = x.size(0), t = x.size(2), v = x.size(3);
    // A 1x1 convolution commutes with the mean over frames, so the relation features are computed on the mean.
    const auto pooled = masked_frame_mean(x, frame_mask).unsqueeze(2);                  // [B, C, 1, V]
    const auto query = query_->forward(pooled).view({b, subsets_ * reduced_, v, 1});    // [B, K R, V, 1]
    const auto key = key_->forward(pooled).view({b, subsets_ * reduced_, 1, v});        // [B, K R, 1, V]
    const auto relation = torch::tanh(query - key);                                     // [B, K R, V, V]
    const auto refined = expand_->forward(relation).view({b, subsets_, out_channels_, v, v}) * alpha_ +
                         graph_.view({1, subsets_, 1, v, v});                           // [B, K, C, V, V]
    const auto values = value_->forward(x).view({b, subsets_, out_channels_, t, v});    // [B, K, C, T, V]
    const auto aggregated = torch::einsum("bkcuw,bkctu->bctw", {refined, values});
    const auto residual = down_ ? down_->forward(x) : x;
    return torch::relu(norm_->forward(aggregated) + residual);
  }

 private:
  std::int64_t subsets_, out_channels_, reduced_ = 8;
  torch::Tensor graph_, alpha_;
  torch::nn::Conv2d query_{nullptr}, key_{nullptr}, value_{nullptr}, expand_{nullptr};
  SyncBatchNorm norm_{nullptr};
  torch::nn::Sequential down_{nullptr};
};
TORCH_MODULE(ChannelTopologyGraphConv);

// A stage (the paper's TCN_GCN_unit): the refinement graph convolution, then the multi-scale temporal convolution
// (kernel 5, dilations 1 and 2, a max-pool and a 1x1 branch, each ending in BN), initialised as CTR-GCN's code does.
using CtrgcnBlock = GcnStage<ChannelTopologyGraphConv>;

MultiScaleTemporalOptions ctrgcn_temporal() {
  MultiScaleTemporalOptions temporal;
  temporal.style = MultiScaleTemporalOptions::Style::kBranchNorm;
  temporal.kernel_size = 5;
  temporal.dilations = {1, 2};
  return temporal;
}

// CTR-GCN normalises the input with separate statistics per body slot ('MVC').
class Ctrgcn : public StackedGcnRecognizer<CtrgcnBlock> {
 public:
  explicit Ctrgcn(const RecognizerOptions& options) : StackedGcnRecognizer(options, /*per_body_norm=*/true) {
    const auto partition = spatial_partition(data::topology(options_.topology));
    const auto plan = gcn_stage_plan(options_);
    for (std::size_t i = 0; i < plan.size(); ++i) {
      add_block("block" + std::to_string(i + 1),
                CtrgcnBlock(plan[i], partition, ctrgcn_temporal(), /*kaiming_fan_out=*/true));
    }
    add_head(plan.back().out_channels);
  }
};

}  // namespace

std::shared_ptr<RecognizerImpl> make_ctrgcn(const RecognizerOptions& options) {
  return std::make_shared<Ctrgcn>(options);
}

}  // namespace skelaug::models
