#pragma once

// Building blocks every GCN recogniser shares (internal to skelaug::models).
//
// Layout inside the networks: [B, C, T, V] with B = N * M (bodies folded into the batch, clip-major: row n * M + m is
// body m of clip n), as PYSKL does. Padded frames are handled by one invariant: a module that mixes frames (temporal
// convolution, pooling over time, a mean over time) multiplies its input by the frame mask first, so padded frames
// reach it as zeros, exactly what the convolution's own zero padding gives at the end of an unpadded clip. A clip
// padded to any length therefore gives the same features at its real frames and the same pooled output (in eval
// mode; in training, batch-norm statistics still count padded frames).
//
// Frame masks are float [B, 1, T, 1] (1 = real frame) at the resolution of the tensor they go with; a temporal stride s
// keeps frames 0, s, 2s, ... (what a 'same'-padded convolution with stride s keeps), so the mask follows with
// stride_frame_mask.

#include <ATen/Functions.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <string>
#include <vector>

#include "skelaug/models/batch_norm.h"
#include "skelaug/models/recognizer.h"

namespace skelaug::models {

// --- input checks and layout -------------------------------------------------------------------------------------

// Checks input [N, M, T, V, C] and mask [N, T] against the options (M = num_bodies, V = the topology's joints,
// C = in_channels()); throws std::invalid_argument naming what is wrong.
void check_recognizer_input(const RecognizerOptions& options, const torch::Tensor& input, const torch::Tensor& mask);

// Number of joints of options.topology.
std::int64_t recognizer_joints(const RecognizerOptions& options);

// mask [N, T] (any dtype) -> float [N * bodies, 1, T, 1] in the dtype and device of `like`, rows in fold order.
torch::Tensor folded_frame_mask(const torch::Tensor& mask, std::int64_t bodies, const torch::Tensor& like);
// The frame mask after a temporal stride: frames 0, stride, 2 stride, ... ([B, 1, ceil(T / stride), 1]).
torch::Tensor stride_frame_mask(const torch::Tensor& frame_mask, std::int64_t stride);
// input [N, M, T, V, C] -> [N * M, C, T, V] (no normalisation), multiplied by the folded mask.
torch::Tensor fold_bodies(const torch::Tensor& input, const torch::Tensor& frame_mask);

// Mean over the real frames of [B, C, T, V] -> [B, C, V] (CTR-GCN's topology refinement reads this).
torch::Tensor masked_frame_mean(const torch::Tensor& features, const torch::Tensor& frame_mask);
// PYSKL's GCN head pooling: mean over real frames and all joints of [N * M, C, T, V], then over bodies -> [N, C].
torch::Tensor pool_clip(const torch::Tensor& features, const torch::Tensor& frame_mask, std::int64_t bodies);

// The stage plan of ST-GCN-family backbones (ST-GCN++, CTR-GCN): stage 1 maps the input streams to base_channels
// without a residual; channels double and time halves at stages 5 and 8 of 10 (PYSKL). With another stage count the
// two down stages sit at the same relative depths, round(S / 2) and round(4 S / 5) (only those >= 2, once each).
struct StageSpec {
  std::int64_t in_channels;
  std::int64_t out_channels;
  std::int64_t stride;
  bool residual;
};
std::vector<StageSpec> gcn_stage_plan(const RecognizerOptions& options);

// --- modules -----------------------------------------------------------------------------------------------------

// The input batch-norm of the GCN recognisers: BatchNorm1d over (M x) V x C features per frame, so every joint's
// coordinates get their own statistics. per_body = true keeps separate statistics per body slot (PYSKL's 'MVC', used
// by CTR-GCN, MS-G3D), false shares them across bodies ('VC', ST-GCN / ST-GCN++).
class DataNormImpl : public torch::nn::Module {
 public:
  DataNormImpl(std::int64_t bodies, std::int64_t joints, std::int64_t channels, bool per_body);
  // input [N, M, T, V, C] with frame mask [N * M, 1, T, 1] (folded_frame_mask) -> [N * M, C, T, V], normalised, padded
  // frames zero.
  torch::Tensor forward(const torch::Tensor& input, const torch::Tensor& frame_mask);

 private:
  std::int64_t bodies_, joints_, channels_;
  bool per_body_;
  SyncBatchNorm norm_{nullptr};
};
TORCH_MODULE(DataNorm);

// Dropout then a linear layer (PYSKL's GCNHead); weights N(0, 0.01) as PYSKL initialises them.
class ClassifierHeadImpl : public torch::nn::Module {
 public:
  ClassifierHeadImpl(std::int64_t features, std::int64_t classes, double dropout);
  torch::Tensor forward(const torch::Tensor& pooled);  // [N, features] -> [N, classes]

 private:
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear linear_{nullptr};
};
TORCH_MODULE(ClassifierHead);

// A k x 1 convolution over time with 'same' padding for its dilation, stride over time, then batch-norm (PYSKL's
// unit_tcn; kernel 1 is the strided 1x1 residual projection). Masks its input.
class TemporalConvImpl : public torch::nn::Module {
 public:
  TemporalConvImpl(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel_size,
                   std::int64_t stride = 1, std::int64_t dilation = 1, bool batch_norm = true);
  // x [B, C, T, V] with its frame mask -> [B, out, ceil(T / stride), V].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& frame_mask);

 private:
  torch::nn::Conv2d conv_{nullptr};
  SyncBatchNorm norm_{nullptr};
};
TORCH_MODULE(TemporalConv);

// Multi-scale temporal convolution: parallel branches, concatenated along channels, out_channels split evenly over
// them (the remainder goes to the first). Each dilated branch is 1x1 conv -> BN -> ReLU -> k x 1 conv with that
// dilation; the max branch is 1x1 conv -> BN -> ReLU -> max-pool over 3 frames; the last branch a strided 1x1 conv.
// The branches' leading 1x1 conv -> BN -> ReLU all read the same input, so they run as one convolution over the
// concatenated branch widths (per-channel BN and ReLU make that exactly the separate branches), then split.
//   kPyskl  (ST-GCN++'s mstcn): no norm at the end of a branch; after concatenation BN -> ReLU -> 1x1 conv -> BN.
//   kBranchNorm (CTR-GCN / MS-G3D's MS-TCN): each branch ends in BN; the concatenation is the output.
struct MultiScaleTemporalOptions {
  enum class Style { kPyskl, kBranchNorm };
  Style style = Style::kPyskl;
  std::int64_t kernel_size = 3;
  std::vector<std::int64_t> dilations{1, 2, 3, 4};
  std::int64_t stride = 1;
};

class MultiScaleTemporalConvImpl : public torch::nn::Module {
 public:
  MultiScaleTemporalConvImpl(std::int64_t in_channels, std::int64_t out_channels, MultiScaleTemporalOptions options);
  // x [B, C, T, V] with its frame mask -> [B, out, ceil(T / stride), V].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& frame_mask);
  // Kaiming-normal fan-out initialisation of the fused 1x1 reduction as if its branches were separate convolutions
  // (fan out = the branch's width, not the sum); init_conv_kaiming_fan_out calls it.
  void init_reduce_kaiming_fan_out();

 private:
  MultiScaleTemporalOptions options_;
  std::vector<std::int64_t> widths_;     // channels of each dilated branch, then the max branch
  torch::nn::Sequential reduce_{nullptr};  // all dilated / max branches' 1x1 conv -> BN -> ReLU, fused
  std::vector<TemporalConv> dilated_;    // per dilated branch: its temporal convolution
  SyncBatchNorm max_norm_{nullptr};  // kBranchNorm: BN after the max-pool
  TemporalConv pointwise_{nullptr};      // the strided 1x1 branch
  torch::nn::Sequential transform_{nullptr};  // kPyskl: BN -> ReLU -> 1x1 conv -> BN after concatenation
};
TORCH_MODULE(MultiScaleTemporalConv);

// Kaiming-normal (fan out) weights and zero bias for every Conv2d of `module`, and BN weight 1 / bias 0: the
// initialisation CTR-GCN and MS-G3D's code apply.
void init_conv_kaiming_fan_out(torch::nn::Module& module);

// One stage of ST-GCN++ and CTR-GCN (PYSKL's unit, the paper's TCN_GCN_unit): the model's graph convolution, then the
// multi-scale temporal convolution with the stage's stride, plus the stage residual (none at stage 1, identity when
// shapes match, else a strided 1x1 convolution with BN), then ReLU. GraphConv is a module holder constructed from
// (in_channels, out_channels, partition) with forward(x, frame_mask). kaiming_fan_out: re-initialise the temporal
// convolution and the projection as CTR-GCN's code does.
template <typename GraphConv>
class GcnStageImpl : public torch::nn::Module {
 public:
  GcnStageImpl(const StageSpec& stage, const torch::Tensor& partition, MultiScaleTemporalOptions temporal,
               bool kaiming_fan_out)
      : stride_(stage.stride), residual_(stage.residual) {
    graph_conv_ = register_module("graph_conv", GraphConv(stage.in_channels, stage.out_channels, partition));
    temporal.stride = stage.stride;
    temporal_conv_ = register_module("temporal_conv",
                                     MultiScaleTemporalConv(stage.out_channels, stage.out_channels, temporal));
    if (stage.residual && (stage.in_channels != stage.out_channels || stage.stride != 1)) {
      projection_ = register_module("projection",
                                    TemporalConv(stage.in_channels, stage.out_channels, 1, stage.stride));
    }
    if (kaiming_fan_out) {
      init_conv_kaiming_fan_out(*temporal_conv_);
      if (projection_) init_conv_kaiming_fan_out(*projection_);
    }
  }

  // x [B, C, T, V] with its frame mask -> [B, out, ceil(T / stride), V].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& frame_mask) {
    auto y = temporal_conv_->forward(graph_conv_->forward(x, frame_mask), frame_mask);
    if (residual_) y = y + (projection_ ? projection_->forward(x, frame_mask) : x);
    return at::relu(y);
  }

  std::int64_t stride() const { return stride_; }

 private:
  std::int64_t stride_;
  bool residual_;
  GraphConv graph_conv_{nullptr};
  MultiScaleTemporalConv temporal_conv_{nullptr};
  TemporalConv projection_{nullptr};
};
template <typename GraphConv>
using GcnStage = torch::nn::ModuleHolder<GcnStageImpl<GraphConv>>;

// The outline ST-GCN++, CTR-GCN and MS-G3D share: input batch-norm, a stack of blocks (each may stride time, and the
// frame mask strides with it), pooling over real frames, joints and bodies, then the classifier head. A model's
// constructor adds its blocks in order and then its head; Block is a module holder with forward(x, frame_mask) and
// stride().
template <typename Block>
class StackedGcnRecognizer : public RecognizerImpl {
 public:
  torch::Tensor classify(const torch::Tensor& features) override { return head_->forward(features); }

  torch::Tensor embed(const torch::Tensor& input, const torch::Tensor& mask) override {
    check_recognizer_input(options_, input, mask);
    auto frame_mask = folded_frame_mask(mask, options_.num_bodies, input);
    auto x = data_norm_->forward(input, frame_mask);
    for (auto& block : blocks_) {
      x = block->forward(x, frame_mask);
      frame_mask = stride_frame_mask(frame_mask, block->stride());
    }
    return pool_clip(x, frame_mask, options_.num_bodies);
  }

 protected:
  // per_body_norm: separate input statistics per body slot (PYSKL's 'MVC'), else shared by the bodies ('VC').
  StackedGcnRecognizer(const RecognizerOptions& options, bool per_body_norm) : RecognizerImpl(options) {
    data_norm_ = register_module("data_norm", DataNorm(options_.num_bodies, recognizer_joints(options_),
                                                       options_.in_channels(), per_body_norm));
  }
  void add_block(const std::string& name, Block block) { blocks_.push_back(register_module(name, std::move(block))); }
  void add_head(std::int64_t features) {
    head_ = register_module("head", ClassifierHead(features, options_.num_classes, options_.dropout));
  }

 private:
  DataNorm data_norm_{nullptr};
  std::vector<Block> blocks_;
  ClassifierHead head_{nullptr};
};

}  // namespace skelaug::models
