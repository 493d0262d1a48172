#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <string>

namespace skelaug::models {

enum class Conditioning {
  kExemplar,  // the paper's: a semantic encoder reads a real clip of the target class, joined with the label
  kLabel,     // MDM-style: the label alone, dropped at random in training for classifier-free guidance
};

struct GeneratorOptions {
  Conditioning conditioning = Conditioning::kExemplar;
  std::int64_t num_joints = 22;
  std::int64_t num_classes = 12;
  std::int64_t clip_length = 48;
  std::int64_t width = 256;
  std::int64_t heads = 4;
  std::int64_t feedforward = 1024;
  std::int64_t encoder_layers = 8;
  std::int64_t decoder_layers = 4;
  double dropout = 0.1;
  std::int64_t feature_width() const { return num_joints * 3; }
};

// The conditional denoiser: predicts the clean clip x0 (normalised features [B, T, J*3]) from a noisy one.
//   condition = semantic_encoder(exemplar) (mean over its real frames) joined with the one-hot label (exemplar mode),
//               or a learned label embedding with an extra "no label" entry (label mode);
//   token     = condition + MLP(sinusoid(t));
//   x0        = Linear(TransformerDecoder([token, frames], memory = token))[frames].
// The layers are skelaug's own (transformer_layers.h): batch-first, and the decoder's attention onto its one-token
// memory costs O(B D^2) instead of O(B T D^2) (attention.h says why that is exact).
// An auxiliary head classifies the predicted clip (mean over frames) to keep it recognisable.
class GeneratorImpl : public torch::nn::Module {
 public:
  explicit GeneratorImpl(GeneratorOptions options);

  // x_t [B, T, F], t int64 [B], labels int64 [B] (num_classes = "no label" in label mode), exemplar [B, T, F] and
  // its mask [B, T] (exemplar mode; ignored in label mode), frame mask [B, T] of x_t. Returns x0 [B, T, F].
  torch::Tensor forward(const torch::Tensor& x_t, const torch::Tensor& t, const torch::Tensor& labels,
                        const torch::Tensor& exemplar, const torch::Tensor& exemplar_mask,
                        const torch::Tensor& mask);

  // forward() in its two parts: the condition [B, D] depends only on the labels and the exemplar, not on x_t or t,
  // so a sampler whose condition is deterministic (condition_is_deterministic) computes it once for every step.
  torch::Tensor condition(const torch::Tensor& labels, const torch::Tensor& exemplar,
                          const torch::Tensor& exemplar_mask);
  torch::Tensor denoise(const torch::Tensor& x_t, const torch::Tensor& t, const torch::Tensor& condition,
                        const torch::Tensor& mask);
  // False while some layer of the condition's path would draw dropout noise (training, or sampling-time dropout).
  bool condition_is_deterministic() const;
  // Class logits of clips of features [B, T, F] with mask [B, T].
  torch::Tensor classify(const torch::Tensor& features, const torch::Tensor& mask);

  const GeneratorOptions& options() const { return options_; }
  // Joint positions [..., T, J, 3] as the normalised features the network works on, and back.
  torch::Tensor normalised_features(const torch::Tensor& joints) const;
  torch::Tensor joints_from_normalised(const torch::Tensor& features) const;
  // Feature normalisation of the data it was trained on (buffers: saved in checkpoints).
  torch::Tensor feature_mean, feature_std;

 private:
  torch::Tensor timestep_embedding(const torch::Tensor& t) const;
  torch::Tensor positional_encoding(std::int64_t length) const;

  GeneratorOptions options_;
  torch::nn::Linear exemplar_in{nullptr}, frames_in{nullptr}, condition_in{nullptr}, frames_out{nullptr};
  torch::nn::ModuleList semantic_encoder{nullptr}, decoder{nullptr};
  torch::nn::Embedding label_embedding{nullptr};
  torch::nn::Sequential time_mlp{nullptr}, classifier{nullptr};
};
TORCH_MODULE(Generator);

}  // namespace skelaug::models
