// skelaug's own Transformer layers against LibTorch's reference layers with the same weights.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <map>
#include <string>

#include "skelaug/models/attention.h"
#include "skelaug/models/transformer_layers.h"

namespace skelaug::models {
namespace {

constexpr std::int64_t kWidth = 32, kHeads = 4, kFeedforward = 48, kBatch = 3, kLength = 7;

// Copies `reference`'s parameters into `ours` through a name map (ours <- reference), with an optional row range
// [begin, end) of the reference tensor.
struct Source {
  std::string name;
  std::int64_t begin = 0, end = -1;
};
void copy_parameters(torch::nn::Module& ours, torch::nn::Module& reference, const std::map<std::string, Source>& map) {
  torch::NoGradGuard no_grad;
  const auto from = reference.named_parameters();
  auto to = ours.named_parameters();
  ASSERT_EQ(to.size(), map.size());
  for (auto& item : to) {
    const auto found = map.find(item.key());
    ASSERT_NE(found, map.end()) << item.key();
    auto value = from[found->second.name];
    if (found->second.end >= 0) value = value.slice(0, found->second.begin, found->second.end);
    ASSERT_EQ(item.value().sizes(), value.sizes()) << item.key();
    item.value().copy_(value);
  }
}

std::map<std::string, Source> feedforward_and_norms(int norms) {
  std::map<std::string, Source> map{{"linear1.weight", {"linear1.weight"}},
                                    {"linear1.bias", {"linear1.bias"}},
                                    {"linear2.weight", {"linear2.weight"}},
                                    {"linear2.bias", {"linear2.bias"}}};
  for (int i = 1; i <= norms; ++i) {
    for (const std::string part : {"weight", "bias"}) {
      const auto name = "norm" + std::to_string(i) + "." + part;
      map[name] = {name};
    }
  }
  for (const std::string part : {"in_proj_weight", "in_proj_bias"}) map["self_attention." + part] = {"self_attn." + part};
  map["self_attention.out_proj_weight"] = {"self_attn.out_proj.weight"};
  map["self_attention.out_proj_bias"] = {"self_attn.out_proj.bias"};
  return map;
}

torch::Tensor padding_of(std::initializer_list<std::int64_t> real_frames) {
  auto padding = torch::zeros({static_cast<std::int64_t>(real_frames.size()), kLength}, torch::kBool);
  std::int64_t row = 0;
  for (const auto real : real_frames) padding[row++].slice(0, real).fill_(true);
  return padding;
}

TEST(Attention, SelfAttentionEqualsLibTorchMultiheadAttention) {
  torch::manual_seed(1);
  torch::nn::MultiheadAttention reference(kWidth, kHeads);
  SelfAttention ours(kWidth, kHeads, 0.0);
  copy_parameters(*ours, *reference,
                  {{"in_proj_weight", {"in_proj_weight"}},
                   {"in_proj_bias", {"in_proj_bias"}},
                   {"out_proj_weight", {"out_proj.weight"}},
                   {"out_proj_bias", {"out_proj.bias"}}});
  const auto x = torch::randn({kBatch, kLength, kWidth});
  const auto padding = padding_of({7, 4, 1});
  const auto sequence_first = x.transpose(0, 1);
  const auto expected = std::get<0>(reference->forward(sequence_first, sequence_first, sequence_first, padding));
  EXPECT_TRUE(torch::allclose(ours->forward(x, padding), expected.transpose(0, 1), 1e-5, 1e-6));
  const auto unpadded = std::get<0>(reference->forward(sequence_first, sequence_first, sequence_first));
  EXPECT_TRUE(torch::allclose(ours->forward(x), unpadded.transpose(0, 1), 1e-5, 1e-6));
}

TEST(Attention, EncoderLayerEqualsLibTorchTransformerEncoderLayer) {
  torch::manual_seed(2);
  torch::nn::TransformerEncoderLayer reference(
      torch::nn::TransformerEncoderLayerOptions(kWidth, kHeads).dim_feedforward(kFeedforward).dropout(0.0));
  EncoderLayer ours(TransformerLayerOptions{kWidth, kHeads, kFeedforward, 0.0});
  copy_parameters(*ours, *reference, feedforward_and_norms(2));
  const auto x = torch::randn({kBatch, kLength, kWidth});
  const auto padding = padding_of({3, 7, 5});
  const auto expected = reference->forward(x.transpose(0, 1), {}, padding).transpose(0, 1);
  EXPECT_TRUE(torch::allclose(ours->forward(x, padding), expected, 1e-5, 1e-5));
}

TEST(Attention, DecoderLayerOverOneTokenEqualsLibTorchTransformerDecoderLayer) {
  torch::manual_seed(3);
  torch::nn::TransformerDecoderLayer reference(
      torch::nn::TransformerDecoderLayerOptions(kWidth, kHeads).dim_feedforward(kFeedforward).dropout(0.0));
  DecoderLayer ours(TransformerLayerOptions{kWidth, kHeads, kFeedforward, 0.0});
  auto map = feedforward_and_norms(3);
  // The one-token attention keeps only the value rows of the packed projection; query and key rows cannot matter.
  map["memory_attention.value_weight"] = {"multihead_attn.in_proj_weight", 2 * kWidth, 3 * kWidth};
  map["memory_attention.value_bias"] = {"multihead_attn.in_proj_bias", 2 * kWidth, 3 * kWidth};
  map["memory_attention.out_proj_weight"] = {"multihead_attn.out_proj.weight"};
  map["memory_attention.out_proj_bias"] = {"multihead_attn.out_proj.bias"};
  copy_parameters(*ours, *reference, map);
  const auto x = torch::randn({kBatch, kLength, kWidth});
  const auto memory = torch::randn({kBatch, 1, kWidth});
  const auto padding = padding_of({7, 2, 6});
  const auto expected =
      reference->forward(x.transpose(0, 1), memory.transpose(0, 1), {}, {}, padding).transpose(0, 1);
  EXPECT_TRUE(torch::allclose(ours->forward(x, memory, padding), expected, 1e-5, 1e-5));
}

TEST(Attention, OneTokenAttentionDropoutDropsWholeHeadsPerQueryAndAveragesToTheExpectation) {
  torch::manual_seed(4);
  SingleTokenAttention attention(kWidth, kHeads, 0.25);
  const auto memory = torch::randn({kBatch, 1, kWidth});
  attention->eval();
  const auto expected = attention->forward(memory, kLength);
  attention->train();
  torch::NoGradGuard no_grad;
  // Every output row is the output bias plus a subset of the heads' contributions scaled by 1 / (1 - p).
  const auto head_width = kWidth / kHeads;
  const auto value = torch::nn::functional::linear(memory.squeeze(1), attention->value_weight, attention->value_bias);
  std::vector<torch::Tensor> contributions;
  for (std::int64_t h = 0; h < kHeads; ++h) {
    contributions.push_back(torch::matmul(value.slice(1, h * head_width, (h + 1) * head_width),
                                          attention->out_proj_weight.slice(1, h * head_width, (h + 1) * head_width).t()));
  }
  const auto one = attention->forward(memory, kLength);
  for (std::int64_t b = 0; b < kBatch; ++b) {
    for (std::int64_t q = 0; q < kLength; ++q) {
      // Solve for the kept heads: try every subset (2^4) and require one to match.
      bool matched = false;
      for (int subset = 0; subset < (1 << kHeads) && !matched; ++subset) {
        auto candidate = attention->out_proj_bias.clone();
        for (std::int64_t h = 0; h < kHeads; ++h) {
          if (subset & (1 << h)) candidate += contributions[static_cast<std::size_t>(h)][b] / 0.75;
        }
        matched = torch::allclose(one[b][q], candidate, 1e-4, 1e-5);
      }
      EXPECT_TRUE(matched) << "row " << b << " query " << q;
    }
  }
  auto mean = torch::zeros_like(expected);
  const int draws = 4000;
  for (int i = 0; i < draws; ++i) mean += attention->forward(memory, kLength);
  mean /= draws;
  EXPECT_LT((mean - expected).abs().max().item<float>(), 0.05 * expected.abs().max().item<float>());
}

TEST(Attention, GradientsReachEveryParameterOfBothLayers) {
  torch::manual_seed(5);
  EncoderLayer encoder(TransformerLayerOptions{kWidth, kHeads, kFeedforward, 0.1});
  DecoderLayer decoder(TransformerLayerOptions{kWidth, kHeads, kFeedforward, 0.1});
  const auto x = torch::randn({kBatch, kLength, kWidth});
  const auto memory = torch::randn({kBatch, 1, kWidth}, torch::requires_grad());
  (decoder->forward(encoder->forward(x, padding_of({7, 3, 5})), memory, padding_of({2, 7, 7})).square().sum() +
   decoder->forward(x, memory).sum())
      .backward();
  for (auto* layer : {static_cast<torch::nn::Module*>(encoder.get()), static_cast<torch::nn::Module*>(decoder.get())}) {
    for (const auto& item : layer->named_parameters()) {
      ASSERT_TRUE(item.value().grad().defined()) << item.key();
      EXPECT_GT(item.value().grad().abs().sum().item<float>(), 0) << item.key();
    }
  }
}

}  // namespace
}  // namespace skelaug::models
