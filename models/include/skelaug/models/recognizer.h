#pragma once

#include <torch/nn/module.h>

#include <memory>
#include <string>
#include <vector>

#include "skelaug/models/input_streams.h"

namespace skelaug::models {

// The skeleton action recognisers. Every one reads clips in PYSKL's layout, [N, M, T, V, C] (clips, bodies, frames,
// joints, channels), where C = 3 x the number of input streams (see input_streams.h), with a frame mask [N, T]
// (1 = real frame). Padded frames are zeroed before the network sees them.
struct RecognizerOptions {
  std::string architecture = "stgcn_pp";  // stgcn_pp | ctrgcn | msg3d | blockgcn | a2m_gru
  std::string topology = "hml22";         // a data::topology() name: the graph comes from its edge list
  std::int64_t num_classes = 12;
  std::int64_t num_bodies = 1;            // M
  std::vector<InputStream> streams{InputStream::kJoint};
  std::int64_t base_channels = 64;        // width of the first stage (GCNs); 128 = hidden size of a2m_gru
  std::int64_t stages = 10;               // GCN blocks (ST-GCN++ / CTR-GCN: 10; MS-G3D / BlockGCN use their own
                                          // published depth scaled by this: see each model's file)
  double dropout = 0.0;                   // before the classifier
  std::int64_t in_channels() const { return 3 * static_cast<std::int64_t>(streams.size()); }
};

class RecognizerImpl : public torch::nn::Module {
 public:
  // input [N, M, T, V, C], mask [N, T] -> class logits [N, classes]: classify(embed(input, mask)).
  torch::Tensor forward(const torch::Tensor& input, const torch::Tensor& mask) { return classify(embed(input, mask)); }
  // The feature the classifier reads, [N, D] (pooled over bodies, frames and joints; a2m_gru: its 30-d tanh layer,
  // the embedding generation metrics are computed in).
  virtual torch::Tensor embed(const torch::Tensor& input, const torch::Tensor& mask) = 0;
  // Class logits [N, classes] from embed()'s features: callers that need both (the generation metrics) run the
  // network once.
  virtual torch::Tensor classify(const torch::Tensor& features) = 0;
  const RecognizerOptions& options() const { return options_; }

 protected:
  explicit RecognizerImpl(RecognizerOptions options) : options_(std::move(options)) {}
  RecognizerOptions options_;
};

// Builds the named architecture; throws std::invalid_argument naming the known ones for any other name.
std::shared_ptr<RecognizerImpl> make_recognizer(const RecognizerOptions& options);
std::vector<std::string> recognizer_architectures();

}  // namespace skelaug::models
