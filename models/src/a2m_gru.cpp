// Action2Motion's motion classifier (Guo et al., ACM MM 2020), the network the field computes FID, diversity and
// multimodality with: a GRU over per-frame pose vectors, read at each clip's last real frame, a 30-d tanh layer (the
// embedding the metrics use) and a linear classifier.

#include <torch/nn/modules/rnn.h>

#include "recognizer_common.h"
#include "recognizer_factories.h"

namespace skelaug::models {
namespace {

constexpr std::int64_t kEmbeddingWidth = 30;  // Action2Motion's feature layer
constexpr std::int64_t kGruLayers = 2;

class A2mGru : public RecognizerImpl {
 public:
  explicit A2mGru(const RecognizerOptions& options) : RecognizerImpl(options) {
    // Bodies are concatenated per frame: one pose vector of M x V x C numbers.
    const auto frame_width = options_.num_bodies * recognizer_joints(options_) * options_.in_channels();
    gru_ = register_module(
        "gru", torch::nn::GRU(torch::nn::GRUOptions(frame_width, options_.base_channels).num_layers(kGruLayers)
                                  .batch_first(true)));
    embedding_ = register_module("embedding", torch::nn::Linear(options_.base_channels, kEmbeddingWidth));
    head_ = register_module("head", ClassifierHead(kEmbeddingWidth, options_.num_classes, options_.dropout));
  }

  torch::Tensor classify(const torch::Tensor& features) override { return head_->forward(features); }

  torch::Tensor embed(const torch::Tensor& input, const torch::Tensor& mask) override {
    check_recognizer_input(options_, input, mask);
    const auto n = input.size(0), t = input.size(2);
    const auto frame_mask = mask.to(input.options());
    // [N, M, T, V, C] -> [N, T, M * V * C], padded frames zero. The initial state is zero (Action2Motion draws it at
    // random, which would make the embedding, and every metric on it, vary from call to call).
    const auto frames = input.permute({0, 2, 1, 3, 4}).reshape({n, t, -1}) * frame_mask.unsqueeze(-1);
    const auto outputs = std::get<0>(gru_->forward(frames));  // [N, T, H]
    // The GRU is causal, so its output at the last real frame has not seen the padding.
    // Index of each clip's last real frame (0 for a clip with none).
    const auto positions = torch::arange(t, input.options().dtype(torch::kLong));
    const auto last = std::get<0>((positions * frame_mask.gt(0.5).to(torch::kLong)).max(1));  // [N]
    const auto at_last = outputs.gather(1, last.view({n, 1, 1}).expand({n, 1, outputs.size(2)})).squeeze(1);
    return torch::tanh(embedding_->forward(at_last));
  }

 private:
  torch::nn::GRU gru_{nullptr};
  torch::nn::Linear embedding_{nullptr};
  ClassifierHead head_{nullptr};
};

}  // namespace

std::shared_ptr<RecognizerImpl> make_a2m_gru(const RecognizerOptions& options) {
  return std::make_shared<A2mGru>(options);
}

}  // namespace skelaug::models
