#pragma once

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include "skelaug/models/attention.h"
#include "skelaug/models/dropout.h"

namespace skelaug::models {

struct TransformerLayerOptions {
  std::int64_t width = 256;
  std::int64_t heads = 4;
  std::int64_t feedforward = 1024;
  double dropout = 0.1;
};

// Post-norm Transformer layers (the original Transformer's and PyTorch's default: ReLU feed-forward, dropout on each
// residual branch and on the attention weights), batch-first. Dropout on the residual branches and after the
// feed-forward ReLU (fused with it) lives in CounterDropout modules, so sampling-time dropout (set_sampling_dropout)
// reaches them; attention-weight dropout follows the layer's training flag only.

// x = norm1(x + drop(self_attention(x))); x = norm2(x + drop(feedforward(x))).
class EncoderLayerImpl : public torch::nn::Module {
 public:
  explicit EncoderLayerImpl(const TransformerLayerOptions& options);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& key_padding = {});

 private:
  SelfAttention self_attention{nullptr};
  torch::nn::Linear linear1{nullptr}, linear2{nullptr};
  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
  CounterDropout dropout{nullptr}, dropout1{nullptr}, dropout2{nullptr};
};
TORCH_MODULE(EncoderLayer);

// A decoder layer whose memory is a single token (the generator's condition):
// x = norm1(x + drop(self_attention(x))); x = norm2(x + drop(attention onto the token)); x = norm3(x + drop(ff(x))).
class DecoderLayerImpl : public torch::nn::Module {
 public:
  explicit DecoderLayerImpl(const TransformerLayerOptions& options);
  // x [B, L, D], memory [B, 1, D], key_padding [B, L] bool or undefined.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& memory, const torch::Tensor& key_padding = {});

 private:
  SelfAttention self_attention{nullptr};
  SingleTokenAttention memory_attention{nullptr};
  torch::nn::Linear linear1{nullptr}, linear2{nullptr};
  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr}, norm3{nullptr};
  CounterDropout dropout{nullptr}, dropout1{nullptr}, dropout2{nullptr}, dropout3{nullptr};
};
TORCH_MODULE(DecoderLayer);

}  // namespace skelaug::models
