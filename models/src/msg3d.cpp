// MS-G3D: Liu, Zhang, Chen, Wang, Ouyang, "Disentangling and Unifying Graph Convolutions for Skeleton-Based Action
// Recognition", CVPR 2020 (also PYSKL's 'msg3d', which the augmentation paper trains).
//
// Network: data batch-norm (per body slot) -> STGC blocks -> mean over real frames, joints and bodies -> classifier.
//
// STGC block (in -> out channels, temporal stride s), two pathways summed:
//   spatial:  MS-GCN(in -> e) -> MS-TCN(e -> out, stride s) -> MS-TCN(out -> out, no final ReLU)
//   G3D:      sum over the window pathways of G3D(in -> out, stride s)
//   out = MS-TCN(ReLU(spatial + G3D))
// with e = out in the first block (the raw coordinates are lifted to full width at once) and e = in afterwards (the
// width changes in the strided MS-TCN / the window collapse), as the published network does.
//
// MS-GCN (disentangled multi-scale aggregation): scale k gathers, for every joint, the joints exactly k hops away
// (k = 0 .. 12; skeleton_graph.h's multiscale_adjacency, each scale D^-1/2 (A_k + I) D^-1/2), so far joints are not
// drowned by near ones as in powers of one normalised adjacency. A learnable residual A_res of the same shape
// (initialised U(-1e-6, 1e-6)) is ADDED to the fixed graphs: MS-G3D's "mask" lets the model add edges, not only
// re-weight existing ones. The scales are stacked along channels and mixed by one 1x1 conv -> BN -> ReLU.
//
// G3D (unified spatial-temporal graph convolution): the clip is cut into sliding windows of tau = 3 frames (dilation
// d, stride s, centred, zero-padded), and the tau x V joints of a window form one graph in which each joint is linked
// to itself and its skeleton neighbours in EVERY frame of the window (A + I tiled tau x tau), so a single hop crosses
// space and time at once instead of factorising them. Multi-scale disentangled aggregation over that graph (6 scales,
// learnable residual, 1x1 conv -> BN -> ReLU), then the window is collapsed onto its centre frame by a convolution over
// its tau frames (the paper's Conv3d with kernel (1, tau, 1); here the same weights as a 1x1 conv over tau x channels)
// -> BN. No activation: the block's ReLU follows the pathway sum.
// Window pathways: tau = 3 and tau = 5, both dilation 1, as the authors' released models and PYSKL's configure them;
// the model then has 3,194,595 parameters on NTU RGB+D 60 (two bodies, 25 joints, 60 classes), the paper's 3.2M.
//
// MS-TCN: the shared multi-scale temporal convolution (recognizer_common.h, kBranchNorm: kernel 3, dilations 1-4, a
// max-pool branch and a 1x1 branch, each out/6 channels ending in BN) plus MS-G3D's residual (identity, or strided
// 1x1 conv + BN when the shape changes) and ReLU.
//
// Sizes from RecognizerOptions: block widths base, 2 base, 4 base (published 96 / 192 / 384: base_channels = 96) with
// temporal strides 1, 2, 2. options.stages is the number of STGC blocks, capped at the published 3: any value >= 3
// builds the published network, 1 or 2 only its first blocks (for small tests). 13 MS-GCN scales and 6 G3D scales as
// published.
//
// Padded frames: every operation that mixes frames (window gathering, temporal convolutions, pooling) sees padded
// frames as zeros (the convention of recognizer_common.h), so in eval mode a clip's output does not depend on what
// its padded frames hold or on how far it is padded.

#include <fmt/format.h>
#include <torch/nn/init.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "recognizer_common.h"
#include "recognizer_factories.h"
#include "skelaug/data/topology.h"
#include "skelaug/models/skeleton_graph.h"

namespace skelaug::models {
namespace {

constexpr std::int64_t kGcnScales = 13;
constexpr std::int64_t kG3dScales = 6;
constexpr std::int64_t kPublishedBlocks = 3;

struct WindowPathway {
  std::int64_t window;
  std::int64_t dilation;
};
constexpr std::array<WindowPathway, 2> kWindowPathways{{{3, 1}, {5, 1}}};

// The multi-scale graphs of one G3D window, [scales, tau V, tau V]; node j V + v is joint v in the window's frame j.
// Its hop distances follow from the skeleton's without a search: another joint u is as far as in the skeleton (the
// tiling links a neighbour in any frame directly, so a hop can change frame for free), the same joint in another
// frame is one hop away.
at::Tensor window_multiscale_adjacency(const data::Topology& topology, std::int64_t window, std::int64_t scales) {
  const auto joints = static_cast<std::int64_t>(topology.num_joints());
  const auto nodes = window * joints;
  const auto identity = torch::eye(nodes, torch::kFloat);
  const auto same_joint = torch::eye(joints, torch::kLong).repeat({window, window}).to(torch::kBool);
  const auto hops = torch::where(same_joint & identity.eq(0), torch::ones({nodes, nodes}, torch::kLong),
                                 hop_distance(topology).repeat({window, window}));
  std::vector<torch::Tensor> graphs{identity};
  for (std::int64_t k = 1; k < scales; ++k) {
    graphs.push_back(normalize_symmetric(hops.eq(k).to(torch::kFloat) + identity));
  }
  return torch::stack(graphs);
}

// Disentangled multi-scale graph convolution over any graph of n nodes: x [B, C, T, n] -> [B, out, T, n].
class MultiScaleGraphConvImpl : public torch::nn::Module {
 public:
  MultiScaleGraphConvImpl(const torch::Tensor& graphs, std::int64_t in_channels, std::int64_t out_channels)
      : scales_(graphs.size(0)), nodes_(graphs.size(1)) {
    graphs_ = register_buffer("graphs", graphs.clone());
    residual_ = register_parameter("residual", torch::empty_like(graphs));
    torch::NoGradGuard no_grad;
    torch::nn::init::uniform_(residual_, -1e-6, 1e-6);
    mix_ = register_module("mix", torch::nn::Conv2d(torch::nn::Conv2dOptions(scales_ * in_channels, out_channels, 1)));
    norm_ = register_module("norm", SyncBatchNorm(out_channels));
  }

  torch::Tensor forward(const torch::Tensor& x) {
    const auto b = x.size(0), c = x.size(1), t = x.size(2);
    // out[..., k n + w] = sum_v x[..., v] A_k[v, w]: every scale in one matrix product over the node axis.
    const auto stacked = (graphs_ + residual_).permute({1, 0, 2}).reshape({nodes_, scales_ * nodes_});
    const auto support = x.matmul(stacked)
                             .view({b, c, t, scales_, nodes_})
                             .permute({0, 3, 1, 2, 4})
                             .reshape({b, scales_ * c, t, nodes_});
    return torch::relu(norm_->forward(mix_->forward(support)));
  }

 private:
  std::int64_t scales_, nodes_;
  torch::Tensor graphs_, residual_;
  torch::nn::Conv2d mix_{nullptr};
  SyncBatchNorm norm_{nullptr};
};
TORCH_MODULE(MultiScaleGraphConv);

// MS-G3D's MS-TCN: the shared multi-scale temporal convolution, a residual, and (except where the published network
// leaves it out) a ReLU.
class ResidualMultiScaleTemporalConvImpl : public torch::nn::Module {
 public:
  ResidualMultiScaleTemporalConvImpl(std::int64_t in_channels, std::int64_t out_channels, std::int64_t stride,
                                     bool activation)
      : activation_(activation) {
    MultiScaleTemporalOptions branch_options;
    branch_options.style = MultiScaleTemporalOptions::Style::kBranchNorm;
    branch_options.kernel_size = 3;
    branch_options.dilations = {1, 2, 3, 4};
    branch_options.stride = stride;
    branches_ = register_module("branches", MultiScaleTemporalConv(in_channels, out_channels, branch_options));
    if (in_channels != out_channels || stride != 1) {
      projection_ = register_module("projection", TemporalConv(in_channels, out_channels, 1, stride));
    }
  }

  // x [B, C, T, V] with its frame mask -> [B, out, ceil(T / stride), V].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& frame_mask) {
    auto y = branches_->forward(x, frame_mask) + (projection_ ? projection_->forward(x, frame_mask) : x);
    return activation_ ? torch::relu(y) : y;
  }

 private:
  bool activation_;
  MultiScaleTemporalConv branches_{nullptr};
  TemporalConv projection_{nullptr};
};
TORCH_MODULE(ResidualMultiScaleTemporalConv);

// One G3D pathway: sliding windows -> multi-scale graph conv over the window graph -> collapse onto the centre frame.
class G3dPathwayImpl : public torch::nn::Module {
 public:
  G3dPathwayImpl(const data::Topology& topology, std::int64_t in_channels, std::int64_t embed_channels,
                 std::int64_t out_channels, WindowPathway pathway, std::int64_t stride)
      : window_(pathway.window), dilation_(pathway.dilation), stride_(stride) {
    graph_conv_ = register_module(
        "graph_conv",
        MultiScaleGraphConv(window_multiscale_adjacency(topology, window_, kG3dScales), in_channels, embed_channels));
    collapse_ = register_module("collapse",
                                torch::nn::Conv2d(torch::nn::Conv2dOptions(embed_channels * window_, out_channels, 1)));
    collapse_norm_ = register_module("collapse_norm", SyncBatchNorm(out_channels));
  }

  // x [B, C, T, V] with its frame mask -> [B, out, ceil(T / stride), V].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& frame_mask) {
    const auto b = x.size(0), v = x.size(3);
    const auto windows = sliding_windows(x * frame_mask);  // [B, C, T', tau V]
    const auto t = windows.size(2);
    const auto embedded = graph_conv_->forward(windows);  // [B, E, T', tau V]
    const auto channels = embedded.size(1);
    const auto stacked =
        embedded.view({b, channels, t, window_, v}).permute({0, 1, 3, 2, 4}).reshape({b, channels * window_, t, v});
    return collapse_norm_->forward(collapse_->forward(stacked));
  }

 private:
  // [B, C, T, V] -> [B, C, T', tau V]: window i holds frames s i + d (j - (tau - 1) / 2), j = 0 .. tau - 1, zero
  // outside the clip; T' = ceil(T / s), the frames a 'same'-padded strided convolution keeps.
  torch::Tensor sliding_windows(const torch::Tensor& x) const {
    const auto b = x.size(0), c = x.size(1), frames = x.size(2), v = x.size(3);
    const auto pad = dilation_ * (window_ - 1) / 2;
    const auto padded = torch::constant_pad_nd(x, {0, 0, pad, pad});
    const auto out_frames = (frames - 1) / stride_ + 1;
    std::vector<torch::Tensor> offsets;
    offsets.reserve(static_cast<std::size_t>(window_));
    for (std::int64_t j = 0; j < window_; ++j) {
      offsets.push_back(padded.slice(2, j * dilation_, j * dilation_ + stride_ * (out_frames - 1) + 1, stride_));
    }
    return torch::stack(offsets, 3).view({b, c, out_frames, window_ * v});
  }

  std::int64_t window_, dilation_, stride_;
  MultiScaleGraphConv graph_conv_{nullptr};
  torch::nn::Conv2d collapse_{nullptr};
  SyncBatchNorm collapse_norm_{nullptr};
};
TORCH_MODULE(G3dPathway);

// One spatial-temporal graph convolutional (STGC) block: the factorised spatial pathway beside the G3D pathways.
class StgcBlockImpl : public torch::nn::Module {
 public:
  StgcBlockImpl(const data::Topology& topology, std::int64_t in_channels, std::int64_t out_channels,
                std::int64_t stride, bool first)
      : stride_(stride) {
    const auto embed_channels = first ? out_channels : in_channels;
    spatial_gcn_ = register_module(
        "spatial_gcn", MultiScaleGraphConv(multiscale_adjacency(topology, kGcnScales), in_channels, embed_channels));
    spatial_tcn1_ =
        register_module("spatial_tcn1", ResidualMultiScaleTemporalConv(embed_channels, out_channels, stride, true));
    spatial_tcn2_ =
        register_module("spatial_tcn2", ResidualMultiScaleTemporalConv(out_channels, out_channels, 1, false));
    for (std::size_t i = 0; i < kWindowPathways.size(); ++i) {
      pathways_.push_back(
          register_module(fmt::format("g3d{}", i),
                          G3dPathway(topology, in_channels, embed_channels, out_channels, kWindowPathways[i], stride)));
    }
    tcn_ = register_module("tcn", ResidualMultiScaleTemporalConv(out_channels, out_channels, 1, true));
  }

  std::int64_t stride() const { return stride_; }

  // x [B, C, T, V] with its frame mask -> [B, out, ceil(T / stride), V].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& frame_mask) {
    const auto out_mask = stride_frame_mask(frame_mask, stride_);
    auto spatial = spatial_tcn1_->forward(spatial_gcn_->forward(x), frame_mask);
    spatial = spatial_tcn2_->forward(spatial, out_mask);
    for (auto& pathway : pathways_) spatial = spatial + pathway->forward(x, frame_mask);
    return tcn_->forward(torch::relu(spatial), out_mask);
  }

 private:
  std::int64_t stride_;
  MultiScaleGraphConv spatial_gcn_{nullptr};
  ResidualMultiScaleTemporalConv spatial_tcn1_{nullptr}, spatial_tcn2_{nullptr};
  std::vector<G3dPathway> pathways_;
  ResidualMultiScaleTemporalConv tcn_{nullptr};
};
TORCH_MODULE(StgcBlock);

class Msg3dImpl : public StackedGcnRecognizer<StgcBlock> {
 public:
  explicit Msg3dImpl(const RecognizerOptions& options) : StackedGcnRecognizer(options, /*per_body_norm=*/true) {
    const auto& topology = data::topology(options_.topology);
    const auto blocks = std::min(options_.stages, kPublishedBlocks);
    auto in_channels = options_.in_channels();
    for (std::int64_t i = 0; i < blocks; ++i) {
      const auto out_channels = options_.base_channels << i;  // base, 2 base, 4 base
      add_block(fmt::format("block{}", i), StgcBlock(topology, in_channels, out_channels, i == 0 ? 1 : 2, i == 0));
      in_channels = out_channels;
    }
    add_head(in_channels);
  }

  // Kaiming-normal (fan out) convolutions, unit batch-norms. Called once the model is owned by a shared_ptr, which
  // Module::modules() needs to include the model itself.
  void initialise() { init_conv_kaiming_fan_out(*this); }
};

}  // namespace

std::shared_ptr<RecognizerImpl> make_msg3d(const RecognizerOptions& options) {
  if (options.base_channels < 6) {
    // Every MS-TCN splits its width over 6 branches.
    throw std::invalid_argument(
        fmt::format("msg3d: base_channels must be at least 6 (6 temporal branches), got {}", options.base_channels));
  }
  auto model = std::make_shared<Msg3dImpl>(options);
  model->initialise();
  return model;
}

}  // namespace skelaug::models
