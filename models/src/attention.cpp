#include "skelaug/models/attention.h"

#include <ATen/ATen.h>
#include <torch/nn/init.h>

#include "skelaug/models/dropout.h"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace skelaug::models {
namespace {

void check_heads(std::int64_t width, std::int64_t heads) {
  if (heads < 1 || width % heads != 0) {
    throw std::invalid_argument("attention: width " + std::to_string(width) + " is not divisible by " +
                                std::to_string(heads) + " heads");
  }
}

// torch::nn::MultiheadAttention's initialisation, so either layer starts from the same distribution.
void init_projection(torch::Tensor& weight, torch::Tensor& bias) {
  torch::NoGradGuard no_grad;
  torch::nn::init::xavier_uniform_(weight);
  bias.zero_();
}

}  // namespace

SelfAttentionImpl::SelfAttentionImpl(std::int64_t width, std::int64_t heads, double dropout)
    : heads_(heads), dropout_(dropout) {
  check_heads(width, heads);
  in_proj_weight = register_parameter("in_proj_weight", torch::empty({3 * width, width}));
  in_proj_bias = register_parameter("in_proj_bias", torch::empty({3 * width}));
  out_proj_weight = register_parameter("out_proj_weight", torch::empty({width, width}));
  out_proj_bias = register_parameter("out_proj_bias", torch::empty({width}));
  init_projection(in_proj_weight, in_proj_bias);
  {
    torch::NoGradGuard no_grad;
    // nn.Linear's default for the output projection (kaiming-uniform with a = sqrt(5)), bias zero as MHA sets it.
    torch::nn::init::kaiming_uniform_(out_proj_weight, std::sqrt(5.0));
    out_proj_bias.zero_();
  }
}

torch::Tensor SelfAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& key_padding) {
  const auto batch = x.size(0), length = x.size(1), width = x.size(2);
  const auto head_width = width / heads_;
  // [B, L, 3D] -> [3, B, H, L, dh]: q, k and v become contiguous [B*H, L, dh] views of one buffer.
  const auto qkv = at::linear(x, in_proj_weight, in_proj_bias)
                       .view({batch, length, 3, heads_, head_width})
                       .permute({2, 0, 3, 1, 4})
                       .contiguous();
  const auto q = qkv[0].view({batch * heads_, length, head_width});
  const auto k = qkv[1].view({batch * heads_, length, head_width});
  const auto v = qkv[2].view({batch * heads_, length, head_width});
  const double scale = 1.0 / std::sqrt(static_cast<double>(head_width));

  // The scores of a clip must not depend on whether another clip of its batch is padded (N ranks batch clips
  // differently from 1 rank): the mask is added after the same product and scaling, and adding its zeros to the
  // unpadded keys is exact. (A fused baddbmm rounds differently from bmm then mul.)
  auto scores = at::bmm(q, k.transpose(1, 2)).mul_(scale);
  if (key_padding.defined()) {
    const auto bias = at::zeros({batch, 1, 1, length}, x.options())
                          .masked_fill(key_padding.view({batch, 1, 1, length}),
                                       -std::numeric_limits<float>::infinity())
                          .expand({batch, heads_, 1, length})
                          .reshape({batch * heads_, 1, length});
    scores.add_(bias);
  }
  auto weights = at::softmax(scores, -1);
  if (is_training() && dropout_ > 0) weights = counter_dropout(weights, dropout_);
  const auto heads_out = at::bmm(weights, v)  // [B*H, L, dh]
                             .view({batch, heads_, length, head_width})
                             .transpose(1, 2)
                             .reshape({batch, length, width});
  return at::linear(heads_out, out_proj_weight, out_proj_bias);
}

SingleTokenAttentionImpl::SingleTokenAttentionImpl(std::int64_t width, std::int64_t heads, double dropout)
    : heads_(heads), dropout_(dropout) {
  check_heads(width, heads);
  value_weight = register_parameter("value_weight", torch::empty({width, width}));
  value_bias = register_parameter("value_bias", torch::empty({width}));
  out_proj_weight = register_parameter("out_proj_weight", torch::empty({width, width}));
  out_proj_bias = register_parameter("out_proj_bias", torch::empty({width}));
  {
    torch::NoGradGuard no_grad;
    // The value rows of MultiheadAttention's packed [3D, D] xavier initialisation have its bound.
    const double bound = std::sqrt(6.0 / static_cast<double>(width + 3 * width));
    value_weight.uniform_(-bound, bound);
    value_bias.zero_();
    torch::nn::init::kaiming_uniform_(out_proj_weight, std::sqrt(5.0));
    out_proj_bias.zero_();
  }
}

torch::Tensor SingleTokenAttentionImpl::forward(const torch::Tensor& memory, std::int64_t queries_length) {
  if (memory.dim() != 3 || memory.size(1) != 1) {
    throw std::invalid_argument("SingleTokenAttention: memory must be [B, 1, D]");
  }
  const auto batch = memory.size(0), width = memory.size(2);
  const auto head_width = width / heads_;
  const auto value = at::linear(memory.squeeze(1), value_weight, value_bias);  // [B, D]
  if (!(is_training() && dropout_ > 0)) {
    return at::linear(value, out_proj_weight, out_proj_bias).unsqueeze(1).expand({batch, queries_length, width});
  }
  // Each head's contribution through the output projection, [B, H, D]: out_proj_weight[:, head] @ value[head].
  const auto per_head = at::einsum("bhe,dhe->bhd", {value.view({batch, heads_, head_width}),
                                                   out_proj_weight.view({width, heads_, head_width})});
  const auto kept = counter_dropout(at::ones({batch, queries_length, heads_}, memory.options()), dropout_);
  return at::baddbmm(out_proj_bias.view({1, 1, width}), kept, per_head);  // [B, L, D]
}

}  // namespace skelaug::models
