#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

namespace skelaug::models {

// Multi-head self-attention on batch-first sequences [B, L, D], written for the training step rather than taken
// from torch::nn::MultiheadAttention: one packed QKV projection laid out as [3, B, H, L, dh] with a single copy, the
// 1/sqrt(dh) scale folded into the score product, the key padding mask as an additive bias only when some key is
// padded, and no averaged attention weights. With the same weights and no dropout it computes exactly what
// torch::nn::MultiheadAttention computes (tested).
class SelfAttentionImpl : public torch::nn::Module {
 public:
  SelfAttentionImpl(std::int64_t width, std::int64_t heads, double dropout);
  // x [B, L, D]; key_padding [B, L] bool (true = padded), or undefined when no key is padded (faster). Returns
  // [B, L, D].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& key_padding = {});

  torch::Tensor in_proj_weight, in_proj_bias, out_proj_weight, out_proj_bias;

 private:
  std::int64_t heads_;
  double dropout_;
};
TORCH_MODULE(SelfAttention);

// Attention from every query onto a memory of exactly one token. Softmax over a single score is 1 whatever the
// query and key, so the result is that token's value, projected out, at every position: a standard attention layer
// spends a full query projection over every position, the score and softmax products, and an output projection per
// position on it, and its query and key weights never get a gradient. This layer keeps only the value and output
// projections and costs O(B D^2) instead of O(B L D^2). Attention dropout keeps its meaning: in training each
// (row, head, query) weight is dropped with probability p (and the rest scaled by 1/(1-p)), so the value of a head
// reaches a query or it does not, as in the full layer.
class SingleTokenAttentionImpl : public torch::nn::Module {
 public:
  SingleTokenAttentionImpl(std::int64_t width, std::int64_t heads, double dropout);
  // memory [B, 1, D], queries_length L: returns [B, L, D] (a broadcast view when no dropout is applied).
  torch::Tensor forward(const torch::Tensor& memory, std::int64_t queries_length);

  torch::Tensor value_weight, value_bias, out_proj_weight, out_proj_bias;

 private:
  std::int64_t heads_;
  double dropout_;
};
TORCH_MODULE(SingleTokenAttention);

}  // namespace skelaug::models
