// MS-G3D and BlockGCN: shapes on every topology, padding invariance, gradient flow, and a short overfit run. Models
// are built small (few channels) so the whole file runs in seconds on 2 cores.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "skelaug/data/topology.h"
#include "skelaug/models/batch_norm.h"
#include "skelaug/models/recognizer.h"

namespace skelaug::models {
namespace {

const std::vector<InputStream> kAllStreams{InputStream::kJoint, InputStream::kBone, InputStream::kJointMotion,
                                           InputStream::kBoneMotion};

RecognizerOptions small_options(const std::string& architecture) {
  RecognizerOptions options;
  options.architecture = architecture;
  options.num_classes = 5;
  if (architecture == "msg3d") {
    options.base_channels = 12;  // 12 / 24 / 48, 3 blocks: both strided blocks run
    options.stages = 3;
  } else {
    options.base_channels = 8;  // 8 x 4 then 16 x 6: both strides run
    options.stages = 10;
  }
  return options;
}

// Width of embed(): the last stage's channels.
std::int64_t embedding_width(const RecognizerOptions& options) {
  return options.architecture == "msg3d" ? options.base_channels * 4 : options.base_channels * 2;
}

std::int64_t parameter_count(const torch::nn::Module& module) {
  std::int64_t count = 0;
  for (const auto& parameter : module.parameters()) count += parameter.numel();
  return count;
}

class RecognizerModels : public ::testing::TestWithParam<std::string> {};

TEST_P(RecognizerModels, ShapesForEveryTopologyBodiesAndStreams) {
  torch::manual_seed(0);
  for (const auto& topology : data::topology_names()) {
    const auto joints = data::topology(topology).num_joints();
    for (const std::int64_t bodies : {1, 2}) {
      for (const auto& streams : {std::vector<InputStream>{InputStream::kJoint}, kAllStreams}) {
        SCOPED_TRACE(topology + ", M = " + std::to_string(bodies) + ", streams " + std::to_string(streams.size()));
        auto options = small_options(GetParam());
        options.topology = topology;
        options.num_bodies = bodies;
        options.streams = streams;
        const auto model = make_recognizer(options);
        // 15 frames: odd, so the strided stages round up; the second clip has 4 padded frames.
        const auto input = torch::randn({2, bodies, 15, joints, options.in_channels()});
        auto mask = torch::ones({2, 15});
        mask[1].narrow(0, 11, 4).zero_();
        const auto logits = model->forward(input, mask);
        ASSERT_EQ(logits.sizes(), (std::vector<std::int64_t>{2, options.num_classes}));
        EXPECT_TRUE(torch::isfinite(logits).all().item<bool>());
        const auto features = model->embed(input, mask);
        ASSERT_EQ(features.sizes(), (std::vector<std::int64_t>{2, embedding_width(options)}));
      }
    }
  }
}

TEST_P(RecognizerModels, PaddedFramesDoNotChangeEvalOutput) {
  torch::manual_seed(1);
  auto options = small_options(GetParam());
  options.num_bodies = 2;
  const auto model = make_recognizer(options);
  const auto joints = data::topology(options.topology).num_joints();
  // A few training-mode passes give the batch-norms running statistics other than the initial 0 / 1.
  for (int i = 0; i < 3; ++i) model->forward(torch::randn({4, 2, 16, joints, 3}) * 2.0 + 0.5, torch::ones({4, 16}));
  model->eval();
  torch::NoGradGuard no_grad;

  const std::vector<std::int64_t> lengths{16, 11, 6};
  auto input = torch::randn({3, 2, 16, joints, 3});
  auto mask = torch::zeros({3, 16});
  for (std::int64_t i = 0; i < 3; ++i) mask[i].narrow(0, 0, lengths[i]).fill_(1.0);
  const auto padding = (1.0 - mask).view({3, 1, 16, 1, 1});
  const auto zero_padded = input * (1.0 - padding);
  const auto noise_padded = zero_padded + padding * torch::randn_like(input) * 10.0;
  const auto reference = model->forward(zero_padded, mask);
  EXPECT_TRUE(torch::allclose(model->forward(noise_padded, mask), reference, 1e-4, 1e-5));

  // And the same as each clip alone at its real length: padding length does not matter either.
  for (std::int64_t i = 1; i < 3; ++i) {
    const auto alone = model->forward(input.narrow(0, i, 1).narrow(2, 0, lengths[i]), torch::ones({1, lengths[i]}));
    EXPECT_TRUE(torch::allclose(alone, reference.narrow(0, i, 1), 1e-4, 1e-5)) << "clip " << i;
  }
  // The output does depend on the real frames.
  auto changed = zero_padded.clone();
  changed[0].narrow(1, 0, 4).add_(1.0);
  EXPECT_FALSE(torch::allclose(model->forward(changed, mask).narrow(0, 0, 1), reference.narrow(0, 0, 1)));
}

TEST_P(RecognizerModels, GradientsReachEveryParameter) {
  torch::manual_seed(2);
  auto options = small_options(GetParam());
  options.num_bodies = 2;
  options.streams = kAllStreams;
  const auto model = make_recognizer(options);
  const auto joints = data::topology(options.topology).num_joints();
  auto mask = torch::ones({4, 16});
  mask[3].narrow(0, 10, 6).zero_();
  const auto input = torch::randn({4, 2, 16, joints, options.in_channels()});
  const auto labels = torch::tensor({0, 1, 2, 3}, torch::kLong);
  torch::nn::functional::cross_entropy(model->forward(input, mask), labels).backward();
  std::vector<std::string> unreached;
  for (const auto& item : model->named_parameters()) {
    const auto& grad = item.value().grad();
    if (!grad.defined() || !(grad.abs().sum().item<double>() > 0.0)) unreached.push_back(item.key());
    if (grad.defined()) {
      EXPECT_TRUE(torch::isfinite(grad).all().item<bool>()) << item.key();
    }
  }
  EXPECT_TRUE(unreached.empty()) << "no gradient: " << ::testing::PrintToString(unreached);
}

// A tiny separable set: class c moves the joints j with j % 4 == c along axis c % 3 at c + 1 cycles per clip, on a
// shared rest pose, with random phase, amplitude and noise per clip.
struct TinySet {
  torch::Tensor input, mask, labels;
};

TinySet tiny_separable_set(std::int64_t joints, std::int64_t classes, std::int64_t per_class, std::int64_t frames) {
  const auto clips = classes * per_class;
  const auto rest = torch::randn({1, 1, 1, joints, 3}) * 0.3;
  auto input = rest.repeat({clips, 1, frames, 1, 1});
  const auto time = torch::arange(frames, torch::kFloat) / static_cast<double>(frames);
  auto labels = torch::empty({clips}, torch::kLong);
  for (std::int64_t i = 0; i < clips; ++i) {
    const auto c = i % classes;
    labels[i] = c;
    const auto phase = torch::rand({1}) * 2.0 * M_PI;
    const auto amplitude = 0.2 + 0.1 * torch::rand({1});
    const auto wave = amplitude * torch::sin(time * (2.0 * M_PI * static_cast<double>(c + 1)) + phase);  // [T]
    for (std::int64_t j = c; j < joints; j += 4) input[i][0].select(1, j).select(1, c % 3).add_(wave);
  }
  input += torch::randn_like(input) * 0.02;
  return {input, torch::ones({clips, frames}), labels};
}

double accuracy(const torch::Tensor& logits, const torch::Tensor& labels) {
  return logits.argmax(1).eq(labels).to(torch::kFloat).mean().item<double>();
}

// Replaces every batch-norm's running statistics by the exact statistics of one pass over `input` ("precise BN"): a
// 30-step run leaves the running averages far behind the weights, which says nothing about the model.
void recompute_batch_norm_statistics(RecognizerImpl& model, const torch::Tensor& input, const torch::Tensor& mask) {
  ASSERT_GT(prepare_precise_batch_norm(model), 0);
  model.train();
  torch::NoGradGuard no_grad;
  model.forward(input, mask);
}

TEST_P(RecognizerModels, OverfitsTinySeparableSet) {
  torch::manual_seed(3);
  auto options = small_options(GetParam());
  options.num_classes = 4;
  // The overfit needs no depth; keep it fast.
  if (GetParam() == "msg3d") {
    options.stages = 2;
  } else {
    options.base_channels = 16;
    options.stages = 4;
  }
  const auto model = make_recognizer(options);
  const auto set = tiny_separable_set(data::topology(options.topology).num_joints(), 4, 4, 12);
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(3e-3));
  for (int step = 0; step < 30; ++step) {
    optimizer.zero_grad();
    torch::nn::functional::cross_entropy(model->forward(set.input, set.mask), set.labels).backward();
    optimizer.step();
  }
  double train_accuracy = 0.0;
  {
    torch::NoGradGuard no_grad;
    train_accuracy = accuracy(model->forward(set.input, set.mask), set.labels);  // training mode: batch statistics
  }
  recompute_batch_norm_statistics(*model, set.input, set.mask);
  model->eval();
  torch::NoGradGuard no_grad;
  const auto eval_accuracy = accuracy(model->forward(set.input, set.mask), set.labels);
  std::cout << GetParam() << ": training accuracy " << train_accuracy << " (training mode), " << eval_accuracy
            << " (eval mode, precise BN); chance 0.25\n";
  RecordProperty("train_accuracy", std::to_string(train_accuracy));
  RecordProperty("eval_accuracy", std::to_string(eval_accuracy));
  EXPECT_GE(train_accuracy, 0.75);
  EXPECT_GE(eval_accuracy, 0.75);
}

INSTANTIATE_TEST_SUITE_P(Architectures, RecognizerModels, ::testing::Values("msg3d", "blockgcn"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(RecognizerModelOptions, RejectWidthsTheirBranchesCannotSplit) {
  auto msg3d = small_options("msg3d");
  msg3d.base_channels = 4;
  EXPECT_THROW(make_recognizer(msg3d), std::invalid_argument);
  auto blockgcn = small_options("blockgcn");
  blockgcn.base_channels = 12;
  EXPECT_THROW(make_recognizer(blockgcn), std::invalid_argument);
}

// Parameter counts at the published sizes on NTU RGB+D 60 (25 joints, 2 bodies, 60 classes), pinned to catch a
// silently changed structure, and printed for the hml22 / 12-class configuration too.
//   MS-G3D: 2.81M. The paper's 3.2M is the released code's G3D windows 3 and 5 (dilation 1): the second window's
//   larger graph residual (+60k per block) and collapse (+2 x embed x out per block) make up exactly the difference
//   (3,194,595 when kWindowPathways is set to them); this project specifies window 3 with dilations 1 and 2.
//   BlockGCN: 1.24M without the persistent-homology layers (not implemented), which add a 64 -> C linear + BN per unit.
TEST(RecognizerModelOptions, PublishedSizesParameterCounts) {
  for (const char* topology_name : {"ntu25", "hml22"}) {
    const std::string topology = topology_name;
    RecognizerOptions msg3d;
    msg3d.architecture = "msg3d";
    msg3d.base_channels = 96;
    msg3d.topology = topology;
    msg3d.num_bodies = topology == "ntu25" ? 2 : 1;
    msg3d.num_classes = topology == "ntu25" ? 60 : 12;
    auto blockgcn = msg3d;
    blockgcn.architecture = "blockgcn";
    blockgcn.base_channels = 128;
    const auto msg3d_count = parameter_count(*make_recognizer(msg3d));
    const auto blockgcn_count = parameter_count(*make_recognizer(blockgcn));
    std::cout << topology << ", " << msg3d.num_classes << " classes, M = " << msg3d.num_bodies << ": msg3d "
              << msg3d_count << " parameters, blockgcn " << blockgcn_count << "\n";
    RecordProperty(topology + "_msg3d_parameters", std::to_string(msg3d_count));
    RecordProperty(topology + "_blockgcn_parameters", std::to_string(blockgcn_count));
    if (topology == "ntu25") {
      EXPECT_EQ(msg3d_count, 3194595);  // the published MS-G3D: 3.2M
      EXPECT_NEAR(static_cast<double>(blockgcn_count), 1.24e6, 0.02e6);
    }
  }
}

}  // namespace
}  // namespace skelaug::models
