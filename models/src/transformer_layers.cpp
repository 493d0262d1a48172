#include "skelaug/models/transformer_layers.h"

#include <ATen/ATen.h>

namespace skelaug::models {
namespace {

torch::nn::LayerNorm layer_norm(std::int64_t width) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({width}));
}

// The feed-forward branch shared by both layers: linear2(dropout(relu(linear1(x)))).
torch::Tensor feedforward_branch(torch::nn::Linear& linear1, CounterDropout& dropout, torch::nn::Linear& linear2,
                                 const torch::Tensor& x) {
  return linear2->forward(dropout->forward_relu(linear1->forward(x)));
}

}  // namespace

EncoderLayerImpl::EncoderLayerImpl(const TransformerLayerOptions& options) {
  self_attention = register_module("self_attention", SelfAttention(options.width, options.heads, options.dropout));
  linear1 = register_module("linear1", torch::nn::Linear(options.width, options.feedforward));
  linear2 = register_module("linear2", torch::nn::Linear(options.feedforward, options.width));
  norm1 = register_module("norm1", layer_norm(options.width));
  norm2 = register_module("norm2", layer_norm(options.width));
  dropout = register_module("dropout", CounterDropout(options.dropout));
  dropout1 = register_module("dropout1", CounterDropout(options.dropout));
  dropout2 = register_module("dropout2", CounterDropout(options.dropout));
}

torch::Tensor EncoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& key_padding) {
  auto y = norm1->forward(x + dropout1->forward(self_attention->forward(x, key_padding)));
  return norm2->forward(y + dropout2->forward(feedforward_branch(linear1, dropout, linear2, y)));
}

DecoderLayerImpl::DecoderLayerImpl(const TransformerLayerOptions& options) {
  self_attention = register_module("self_attention", SelfAttention(options.width, options.heads, options.dropout));
  memory_attention =
      register_module("memory_attention", SingleTokenAttention(options.width, options.heads, options.dropout));
  linear1 = register_module("linear1", torch::nn::Linear(options.width, options.feedforward));
  linear2 = register_module("linear2", torch::nn::Linear(options.feedforward, options.width));
  norm1 = register_module("norm1", layer_norm(options.width));
  norm2 = register_module("norm2", layer_norm(options.width));
  norm3 = register_module("norm3", layer_norm(options.width));
  dropout = register_module("dropout", CounterDropout(options.dropout));
  dropout1 = register_module("dropout1", CounterDropout(options.dropout));
  dropout2 = register_module("dropout2", CounterDropout(options.dropout));
  dropout3 = register_module("dropout3", CounterDropout(options.dropout));
}

torch::Tensor DecoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& memory,
                                        const torch::Tensor& key_padding) {
  auto y = norm1->forward(x + dropout1->forward(self_attention->forward(x, key_padding)));
  y = norm2->forward(y + dropout2->forward(memory_attention->forward(memory, y.size(1))));
  return norm3->forward(y + dropout3->forward(feedforward_branch(linear1, dropout, linear2, y)));
}

}  // namespace skelaug::models
