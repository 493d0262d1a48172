#include "recognizer_common.h"

#include <fmt/format.h>
#include <torch/nn/functional/pooling.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/activation.h>

#include <cmath>
#include <stdexcept>

#include "skelaug/data/topology.h"

namespace skelaug::models {

void check_recognizer_input(const RecognizerOptions& options, const torch::Tensor& input, const torch::Tensor& mask) {
  if (input.dim() != 5) {
    throw std::invalid_argument(fmt::format("{}: input must be [N, M, T, V, C], got {} dimensions",
                                            options.architecture, input.dim()));
  }
  const auto joints = recognizer_joints(options);
  if (input.size(1) != options.num_bodies || input.size(3) != joints || input.size(4) != options.in_channels()) {
    throw std::invalid_argument(fmt::format(
        "{}: input [N, M, T, V, C] = [{}, {}, {}, {}, {}] does not match M = {} bodies, V = {} joints ({}), C = {} "
        "channels",
        options.architecture, input.size(0), input.size(1), input.size(2), input.size(3), input.size(4),
        options.num_bodies, joints, options.topology, options.in_channels()));
  }
  if (mask.dim() != 2 || mask.size(0) != input.size(0) || mask.size(1) != input.size(2)) {
    throw std::invalid_argument(fmt::format("{}: mask must be [N, T] = [{}, {}]", options.architecture,
                                            input.size(0), input.size(2)));
  }
}

std::int64_t recognizer_joints(const RecognizerOptions& options) {
  return data::topology(options.topology).num_joints();
}

torch::Tensor folded_frame_mask(const torch::Tensor& mask, std::int64_t bodies, const torch::Tensor& like) {
  const auto batch = mask.size(0);
  const auto frames = mask.size(1);
  return mask.to(like.options())
      .view({batch, 1, 1, frames, 1})
      .expand({batch, bodies, 1, frames, 1})
      .reshape({batch * bodies, 1, frames, 1});
}

torch::Tensor stride_frame_mask(const torch::Tensor& frame_mask, std::int64_t stride) {
  if (stride == 1) return frame_mask;
  return frame_mask.slice(2, 0, frame_mask.size(2), stride);
}

torch::Tensor fold_bodies(const torch::Tensor& input, const torch::Tensor& frame_mask) {
  const auto n = input.size(0), m = input.size(1), t = input.size(2), v = input.size(3), c = input.size(4);
  return input.permute({0, 1, 4, 2, 3}).reshape({n * m, c, t, v}) * frame_mask;
}

torch::Tensor masked_frame_mean(const torch::Tensor& features, const torch::Tensor& frame_mask) {
  const auto real_frames = frame_mask.sum(2).clamp_min(1.0);  // [B, 1, 1]
  return (features * frame_mask).sum(2) / real_frames;
}

torch::Tensor pool_clip(const torch::Tensor& features, const torch::Tensor& frame_mask, std::int64_t bodies) {
  const auto per_body = masked_frame_mean(features, frame_mask).mean(-1);  // [N * M, C]
  return per_body.view({-1, bodies, per_body.size(1)}).mean(1);
}

std::vector<StageSpec> gcn_stage_plan(const RecognizerOptions& options) {
  const auto stages = options.stages;
  const auto first_down = std::lround(0.5 * static_cast<double>(stages));
  const auto second_down = std::lround(0.8 * static_cast<double>(stages));
  std::vector<StageSpec> plan{{options.in_channels(), options.base_channels, 1, false}};
  auto channels = options.base_channels;
  for (std::int64_t stage = 2; stage <= stages; ++stage) {
    const bool down = stage == first_down || stage == second_down;
    const auto out_channels = down ? 2 * channels : channels;
    plan.push_back({channels, out_channels, down ? 2 : 1, true});
    channels = out_channels;
  }
  return plan;
}

DataNormImpl::DataNormImpl(std::int64_t bodies, std::int64_t joints, std::int64_t channels, bool per_body)
    : bodies_(bodies), joints_(joints), channels_(channels), per_body_(per_body) {
  norm_ = register_module("norm", SyncBatchNorm((per_body ? bodies : 1) * joints * channels));
}

torch::Tensor DataNormImpl::forward(const torch::Tensor& input, const torch::Tensor& frame_mask) {
  const auto n = input.size(0), m = input.size(1), t = input.size(2), v = input.size(3), c = input.size(4);
  // Features ordered (body, joint, channel) along BatchNorm1d's channel axis, frames along its length.
  auto features = input.permute({0, 1, 3, 4, 2});  // [N, M, V, C, T]
  features = per_body_ ? features.reshape({n, m * v * c, t}) : features.reshape({n * m, v * c, t});
  features = norm_->forward(features).view({n, m, v, c, t}).permute({0, 1, 3, 4, 2}).reshape({n * m, c, t, v});
  return features * frame_mask;
}

ClassifierHeadImpl::ClassifierHeadImpl(std::int64_t features, std::int64_t classes, double dropout) {
  dropout_ = register_module("dropout", torch::nn::Dropout(dropout));
  linear_ = register_module("linear", torch::nn::Linear(features, classes));
  torch::NoGradGuard no_grad;
  torch::nn::init::normal_(linear_->weight, 0.0, 0.01);
  torch::nn::init::zeros_(linear_->bias);
}

torch::Tensor ClassifierHeadImpl::forward(const torch::Tensor& pooled) {
  return linear_->forward(dropout_->forward(pooled));
}

TemporalConvImpl::TemporalConvImpl(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel_size,
                                   std::int64_t stride, std::int64_t dilation, bool batch_norm) {
  const auto padding = (kernel_size - 1) * dilation / 2;
  conv_ = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels,
                                                                             {kernel_size, 1})
                                                        .padding({padding, 0})
                                                        .stride({stride, 1})
                                                        .dilation({dilation, 1})));
  if (batch_norm) norm_ = register_module("norm", SyncBatchNorm(out_channels));
}

torch::Tensor TemporalConvImpl::forward(const torch::Tensor& x, const torch::Tensor& frame_mask) {
  // A 1-frame kernel does not mix frames: nothing to mask.
  auto y = conv_->forward(conv_->options.kernel_size()->at(0) == 1 ? x : x * frame_mask);
  return norm_ ? norm_->forward(y) : y;
}

MultiScaleTemporalConvImpl::MultiScaleTemporalConvImpl(std::int64_t in_channels, std::int64_t out_channels,
                                                       MultiScaleTemporalOptions options)
    : options_(std::move(options)) {
  const auto branches = static_cast<std::int64_t>(options_.dilations.size()) + 2;
  const auto width = out_channels / branches;
  if (width < 1) {
    throw std::invalid_argument(
        fmt::format("multi-scale temporal convolution: {} output channels for {} branches", out_channels, branches));
  }
  const bool branch_norm = options_.style == MultiScaleTemporalOptions::Style::kBranchNorm;
  for (std::size_t i = 0; i < options_.dilations.size(); ++i) {
    const auto channels = i == 0 ? out_channels - width * (branches - 1) : width;
    widths_.push_back(channels);
    dilated_.push_back(register_module(fmt::format("dilated{}", i),
                                       TemporalConv(channels, channels, options_.kernel_size, options_.stride,
                                                    options_.dilations[i], branch_norm)));
  }
  widths_.push_back(width);  // the max branch
  std::int64_t reduced = 0;
  for (const auto w : widths_) reduced += w;
  reduce_ = register_module(
      "reduce", torch::nn::Sequential(torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, reduced, 1)),
                                      SyncBatchNorm(reduced), torch::nn::ReLU()));
  if (branch_norm) max_norm_ = register_module("max_norm", SyncBatchNorm(width));
  pointwise_ = register_module("pointwise", TemporalConv(in_channels, width, 1, options_.stride, 1, branch_norm));
  if (!branch_norm) {
    transform_ = register_module(
        "transform",
        torch::nn::Sequential(SyncBatchNorm(out_channels), torch::nn::ReLU(),
                              torch::nn::Conv2d(torch::nn::Conv2dOptions(out_channels, out_channels, 1)),
                              SyncBatchNorm(out_channels)));
  }
}

torch::Tensor MultiScaleTemporalConvImpl::forward(const torch::Tensor& x, const torch::Tensor& frame_mask) {
  // Masked here once for all branches (each TemporalConv masks again, a negligible multiply).
  const auto reduced = (reduce_->forward(x) * frame_mask).split_with_sizes(widths_, 1);
  std::vector<torch::Tensor> outputs;
  outputs.reserve(dilated_.size() + 2);
  for (std::size_t i = 0; i < dilated_.size(); ++i) outputs.push_back(dilated_[i]->forward(reduced[i], frame_mask));
  // After the ReLU every value is >= 0, so zeroed padded frames never win the max: the same as the pool's own
  // padding at the end of an unpadded clip.
  auto pooled = torch::nn::functional::max_pool2d(
      reduced.back(), torch::nn::functional::MaxPool2dFuncOptions({3, 1}).stride({options_.stride, 1}).padding({1, 0}));
  if (max_norm_) pooled = max_norm_->forward(pooled);
  outputs.push_back(pooled);
  outputs.push_back(pointwise_->forward(x, frame_mask));
  auto y = torch::cat(outputs, 1);
  return transform_ ? transform_->forward(y) : y;
}

void MultiScaleTemporalConvImpl::init_reduce_kaiming_fan_out() {
  torch::NoGradGuard no_grad;
  const auto& weight = reduce_->ptr<torch::nn::Conv2dImpl>(0)->weight;
  std::int64_t offset = 0;
  for (const auto width : widths_) {
    weight.narrow(0, offset, width).normal_(0.0, std::sqrt(2.0 / static_cast<double>(width)));
    offset += width;
  }
}

void init_conv_kaiming_fan_out(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  // modules(include_self = true) needs the module to be held by a shared_ptr already, which it is not while its
  // constructor runs; so the module itself is visited separately.
  std::vector<torch::nn::Module*> all{&module};
  for (const auto& child : module.modules(/*include_self=*/false)) all.push_back(child.get());
  for (auto* child : all) {
    if (auto* conv = child->as<torch::nn::Conv2d>()) {
      torch::nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut);
      if (conv->bias.defined()) torch::nn::init::zeros_(conv->bias);
    } else if (auto* norm = dynamic_cast<SyncBatchNormImpl*>(child)) {
      torch::nn::init::ones_(norm->weight);
      torch::nn::init::zeros_(norm->bias);
    }
  }
  for (auto* child : all) {
    if (auto* temporal = dynamic_cast<MultiScaleTemporalConvImpl*>(child)) temporal->init_reduce_kaiming_fan_out();
  }
}

}  // namespace skelaug::models
