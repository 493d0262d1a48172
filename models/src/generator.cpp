#include "skelaug/models/generator.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/modules/activation.h>

#include <cmath>

#include "skelaug/models/dropout.h"
#include "skelaug/models/skeleton_features.h"
#include "skelaug/models/transformer_layers.h"

namespace skelaug::models {
namespace {

// Mean over the real frames of [B, T, D] with mask [B, T].
torch::Tensor masked_mean(const torch::Tensor& values, const torch::Tensor& mask) {
  const auto weights = mask.unsqueeze(-1).to(values.scalar_type());
  return (values * weights).sum(1) / weights.sum(1).clamp_min(1.0);
}

// Key padding for attention. On the CPU it is an undefined tensor when every frame is real (the usual training batch
// and every sampling step), which lets the attention skip its mask entirely. On a GPU the mask is always applied:
// finding out whether any frame is padded would wait for the device, once per forward and so once per sampling step.
torch::Tensor key_padding(const torch::Tensor& mask) {
  const auto padded = mask.le(0.5);
  if (!mask.device().is_cpu()) return padded;
  return padded.any().item<bool>() ? padded : torch::Tensor();
}

}  // namespace

GeneratorImpl::GeneratorImpl(GeneratorOptions options) : options_(options) {
  const auto d = options_.width;
  const auto f = options_.feature_width();
  const TransformerLayerOptions layer{d, options_.heads, options_.feedforward, options_.dropout};
  frames_in = register_module("frames_in", torch::nn::Linear(f, d));
  frames_out = register_module("frames_out", torch::nn::Linear(d, f));
  time_mlp = register_module("time_mlp", torch::nn::Sequential(torch::nn::Linear(d, d), torch::nn::SiLU(),
                                                               torch::nn::Linear(d, d)));
  if (options_.conditioning == Conditioning::kExemplar) {
    exemplar_in = register_module("exemplar_in", torch::nn::Linear(f, d));
    semantic_encoder = register_module("semantic_encoder", torch::nn::ModuleList());
    for (std::int64_t i = 0; i < options_.encoder_layers; ++i) semantic_encoder->push_back(EncoderLayer(layer));
    condition_in = register_module("condition_in", torch::nn::Linear(d + options_.num_classes, d));
  } else {
    label_embedding = register_module("label_embedding", torch::nn::Embedding(options_.num_classes + 1, d));
  }
  decoder = register_module("decoder", torch::nn::ModuleList());
  for (std::int64_t i = 0; i < options_.decoder_layers; ++i) decoder->push_back(DecoderLayer(layer));
  classifier = register_module("classifier", torch::nn::Sequential(torch::nn::Linear(f, d), torch::nn::ReLU(),
                                                                   torch::nn::Linear(d, options_.num_classes)));
  feature_mean = register_buffer("feature_mean", torch::zeros({f}));
  feature_std = register_buffer("feature_std", torch::ones({f}));
}

torch::Tensor GeneratorImpl::timestep_embedding(const torch::Tensor& t) const {
  const auto half = options_.width / 2;
  const auto frequencies =
      torch::exp(torch::arange(half, torch::TensorOptions().dtype(torch::kFloat).device(t.device())) *
                 (-std::log(10000.0) / static_cast<double>(half)));
  const auto angles = t.to(torch::kFloat).unsqueeze(1) * frequencies.unsqueeze(0);
  return torch::cat({torch::sin(angles), torch::cos(angles)}, 1);
}

torch::Tensor GeneratorImpl::positional_encoding(std::int64_t length) const {
  return timestep_embedding(torch::arange(length, torch::TensorOptions().dtype(torch::kLong)
                                                      .device(frames_in->weight.device())));
}

torch::Tensor GeneratorImpl::forward(const torch::Tensor& x_t, const torch::Tensor& t, const torch::Tensor& labels,
                                     const torch::Tensor& exemplar, const torch::Tensor& exemplar_mask,
                                     const torch::Tensor& mask) {
  return denoise(x_t, t, condition(labels, exemplar, exemplar_mask), mask);
}

torch::Tensor GeneratorImpl::condition(const torch::Tensor& labels, const torch::Tensor& exemplar,
                                       const torch::Tensor& exemplar_mask) {
  if (options_.conditioning == Conditioning::kLabel) return label_embedding->forward(labels);
  // Padded exemplar frames are masked out of attention and pooling.
  auto encoded = exemplar_in->forward(exemplar) + positional_encoding(exemplar.size(1)).unsqueeze(0);
  const auto padding = key_padding(exemplar_mask);
  for (const auto& layer : *semantic_encoder) encoded = layer->as<EncoderLayer>()->forward(encoded, padding);
  const auto pooled = masked_mean(encoded, exemplar_mask);
  const auto one_hot = torch::one_hot(labels, options_.num_classes).to(pooled.scalar_type());
  return condition_in->forward(torch::cat({pooled, one_hot}, 1));
}

torch::Tensor GeneratorImpl::denoise(const torch::Tensor& x_t, const torch::Tensor& t, const torch::Tensor& condition,
                                     const torch::Tensor& mask) {
  const auto batch = x_t.size(0);
  const auto length = x_t.size(1);
  const auto token = (condition + time_mlp->forward(timestep_embedding(t))).unsqueeze(1);  // [B, 1, D]
  const auto frames = frames_in->forward(x_t) + positional_encoding(length).unsqueeze(0);
  auto decoded = torch::cat({token, frames}, 1);  // [B, 1 + T, D]
  auto padding = key_padding(mask);
  if (padding.defined()) padding = torch::cat({torch::zeros({batch, 1}, padding.options()), padding}, 1);
  for (const auto& layer : *decoder) decoded = layer->as<DecoderLayer>()->forward(decoded, token, padding);
  return frames_out->forward(decoded.narrow(1, 1, length));
}

bool GeneratorImpl::condition_is_deterministic() const {
  if (options_.conditioning == Conditioning::kLabel) return true;  // an embedding lookup
  // In eval mode nothing draws noise; sampling-time dropout puts only the CounterDropout modules back in training
  // mode, and those draw nothing at probability 0.
  for (const auto& module : semantic_encoder->modules(/*include_self=*/true)) {
    if (!module->is_training()) continue;
    const auto* dropout = dynamic_cast<const CounterDropoutImpl*>(module.get());
    if (dropout == nullptr || dropout->p() > 0) return false;
  }
  return true;
}

torch::Tensor GeneratorImpl::normalised_features(const torch::Tensor& joints) const {
  return (joints_to_features(joints) - feature_mean) / feature_std;
}

torch::Tensor GeneratorImpl::joints_from_normalised(const torch::Tensor& features) const {
  return features_to_joints(features * feature_std + feature_mean, options_.num_joints);
}

torch::Tensor GeneratorImpl::classify(const torch::Tensor& features, const torch::Tensor& mask) {
  return classifier->forward(masked_mean(features, mask));
}

}  // namespace skelaug::models
