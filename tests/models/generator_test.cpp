#include <gtest/gtest.h>
#include <torch/torch.h>

#include "skelaug/data/topology.h"
#include "skelaug/models/generator.h"
#include "skelaug/models/generator_objective.h"
#include "skelaug/models/generator_sampling.h"
#include "skelaug/models/skeleton_features.h"
#include "skelaug/models/transformer_layers.h"
#include "small_generator.h"

namespace skelaug::models {
namespace {

GeneratorOptions small(Conditioning conditioning) { return testing::small_generator_options(conditioning); }

TEST(SkeletonFeatures, RootTrajectoryPlusRelativeJointsInvertsExactly) {
  const auto joints = torch::randn({2, 7, 22, 3});
  const auto features = joints_to_features(joints);
  ASSERT_EQ(features.sizes(), (std::vector<std::int64_t>{2, 7, 66}));
  EXPECT_TRUE(torch::equal(features.narrow(-1, 0, 3), joints.select(2, 0)));
  EXPECT_TRUE(torch::allclose(features.narrow(-1, 3, 3), joints.select(2, 1) - joints.select(2, 0)));
  EXPECT_TRUE(torch::allclose(features_to_joints(features, 22), joints, 1e-5, 1e-6));
}

TEST(Generator, ShapesAndPaddingIsIgnored) {
  torch::manual_seed(0);
  Generator model(small(Conditioning::kExemplar));
  model->eval();
  const auto x_t = torch::randn({3, 12, 66});
  const auto t = torch::tensor({0, 500, 999}, torch::kLong);
  const auto labels = torch::tensor({0, 3, 4}, torch::kLong);
  auto exemplar = torch::randn({3, 12, 66});
  auto mask = torch::ones({3, 12});
  mask.narrow(1, 8, 4).zero_();  // the last 4 frames are padding
  const auto out = model->forward(x_t, t, labels, exemplar, mask, mask);
  ASSERT_EQ(out.sizes(), x_t.sizes());
  EXPECT_EQ(model->classify(out, mask).sizes(), (std::vector<std::int64_t>{3, 5}));

  // Whatever the padded frames hold, real frames come out the same.
  auto noisy_padding = x_t.clone();
  noisy_padding.narrow(1, 8, 4).normal_();
  auto exemplar_padding = exemplar.clone();
  exemplar_padding.narrow(1, 8, 4).normal_();
  const auto again = model->forward(noisy_padding, t, labels, exemplar_padding, mask, mask);
  EXPECT_TRUE(torch::allclose(again.narrow(1, 0, 8), out.narrow(1, 0, 8), 1e-5, 1e-5));
  // The condition matters: another label or exemplar changes the prediction.
  EXPECT_FALSE(torch::allclose(model->forward(x_t, t, torch::tensor({1, 1, 1}), exemplar, mask, mask), out));
  EXPECT_FALSE(torch::allclose(model->forward(x_t, t, labels, torch::randn({3, 12, 66}), mask, mask), out));
}

TEST(Generator, LabelModeHasANoLabelEntryForGuidance) {
  torch::manual_seed(0);
  Generator model(small(Conditioning::kLabel));
  model->eval();
  const auto x_t = torch::randn({2, 12, 66});
  const auto t = torch::tensor({10, 10}, torch::kLong);
  const auto mask = torch::ones({2, 12});
  const auto conditioned = model->forward(x_t, t, torch::tensor({2, 2}), {}, {}, mask);
  const auto unconditioned = model->forward(x_t, t, torch::tensor({5, 5}), {}, {}, mask);  // 5 = "no label"
  EXPECT_FALSE(torch::allclose(conditioned, unconditioned));
  EXPECT_THROW(model->forward(x_t, t, torch::tensor({6, 6}), {}, {}, mask), c10::Error);
}

TEST(Generator, OverfitsATinySet) {
  torch::manual_seed(1);
  Generator model(small(Conditioning::kExemplar));
  const auto schedule = DiffusionSchedule::cosine(100);
  // Two smooth clips of two classes.
  const auto time = torch::linspace(0, 3.14159, 12).view({1, 12, 1});
  const auto clips = torch::cat({torch::sin(time + torch::linspace(0, 1, 66).view({1, 1, 66})),
                                 torch::cos(2 * time + torch::linspace(0, 2, 66).view({1, 1, 66}))});
  const auto mask = torch::ones({2, 12});
  const auto labels = torch::tensor({0, 1}, torch::kLong);
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(3e-3));
  GeneratorLossWeights weights;
  weights.auxiliary = 0.1;
  const auto edges = data::topology("hml22").edges();
  double first = 0, last = 0;
  for (int step = 0; step < 300; ++step) {
    const auto loss = generator_loss(model, schedule, clips, mask, labels, clips, mask, weights, edges,
                                     {static_cast<std::uint64_t>(2 * step), static_cast<std::uint64_t>(2 * step + 1)});
    optimizer.zero_grad();
    loss.total.backward();
    optimizer.step();
    if (step == 0) first = loss.reconstruction.item<double>();
    last = loss.reconstruction.item<double>();
  }
  // Predicting x0 of two memorised clips from any noise level: the error must fall to a small fraction.
  EXPECT_LT(last, 0.05) << "first " << first;
  EXPECT_GT(first, 0.3);
}

TEST(GeneratorLoss, SameSeedsSameLossWhateverTheBatchSplit) {
  torch::manual_seed(2);
  Generator model(small(Conditioning::kLabel));
  model->eval();
  const auto schedule = DiffusionSchedule::cosine(50);
  const auto clips = torch::randn({4, 12, 66});
  const auto mask = torch::ones({4, 12});
  const auto labels = torch::tensor({0, 1, 2, 3}, torch::kLong);
  GeneratorLossWeights weights;
  weights.auxiliary = 0;
  const auto edges = data::topology("hml22").edges();
  const auto whole = generator_loss(model, schedule, clips, mask, labels, {}, {}, weights, edges, {7, 8, 9, 10});
  const auto half_a = generator_loss(model, schedule, clips.narrow(0, 0, 2), mask.narrow(0, 0, 2), labels.narrow(0, 0, 2),
                                     {}, {}, weights, edges, {7, 8});
  const auto half_b = generator_loss(model, schedule, clips.narrow(0, 2, 2), mask.narrow(0, 2, 2), labels.narrow(0, 2, 2),
                                     {}, {}, weights, edges, {9, 10});
  EXPECT_NEAR(whole.total.item<double>(), (half_a.total.item<double>() + half_b.total.item<double>()) / 2, 1e-5);
}

// With dropout on in training mode (exemplar mode: the encoder drops too), every mask is keyed by the row's seed, so
// a split batch still gives the same loss and the same gradients: N ranks train exactly like 1 rank.
TEST(GeneratorLoss, DropoutMasksFollowTheRowsWhateverTheBatchSplit) {
  torch::manual_seed(2);
  auto options = small(Conditioning::kExemplar);
  options.dropout = 0.3;
  Generator model(options);
  model->train();
  const auto schedule = DiffusionSchedule::cosine(50);
  const auto clips = torch::randn({4, 12, 66});
  const auto mask = torch::ones({4, 12});
  const auto labels = torch::tensor({0, 1, 2, 3}, torch::kLong);
  const auto edges = data::topology("hml22").edges();
  const auto gradients = [&](std::int64_t first, std::int64_t rows, const std::vector<std::uint64_t>& seeds) {
    model->zero_grad();
    torch::manual_seed(first + 40);  // a different default-generator state for every part
    const auto loss = generator_loss(model, schedule, clips.narrow(0, first, rows), mask.narrow(0, first, rows),
                                     labels.narrow(0, first, rows), clips.narrow(0, first, rows),
                                     mask.narrow(0, first, rows), {}, edges, seeds);
    (loss.total * static_cast<double>(rows) / 4.0).backward();
    std::vector<torch::Tensor> grads;
    for (const auto& p : model->parameters()) grads.push_back(p.grad().clone());
    return std::make_pair(loss.total.item<double>(), grads);
  };
  const auto whole = gradients(0, 4, {7, 8, 9, 10});
  const auto half_a = gradients(0, 2, {7, 8});
  const auto half_b = gradients(2, 2, {9, 10});
  EXPECT_NEAR(whole.first, (half_a.first + half_b.first) / 2, 1e-5);
  for (std::size_t i = 0; i < whole.second.size(); ++i) {
    EXPECT_TRUE(torch::allclose(whole.second[i], half_a.second[i] + half_b.second[i], 1e-4, 1e-5)) << i;
  }
}

TEST(Guidance, ScaleZeroIsUnconditionalAndOneIsConditional) {
  const auto conditional = torch::randn({2, 3});
  const auto unconditional = torch::randn({2, 3});
  EXPECT_TRUE(torch::allclose(guided_x0(conditional, unconditional, 1.0), conditional));
  EXPECT_TRUE(torch::allclose(guided_x0(conditional, unconditional, 0.0), unconditional));
  EXPECT_TRUE(torch::allclose(guided_x0(conditional, unconditional, 3.0), unconditional + 3 * (conditional - unconditional)));
}

// A label-mode generator with training dropout 0.1 and a 5-step DDIM sampler over 20 diffusion steps.
struct LabelModeSampling {
  LabelModeSampling() : model(make()) {
    generation.sampler.ddim_steps = 5;
    generation.sampler.seed = 4;
  }
  static Generator make() {
    torch::manual_seed(3);
    auto options = small(Conditioning::kLabel);
    options.dropout = 0.1;
    return Generator(options);
  }
  Generator model;
  DiffusionSchedule schedule = DiffusionSchedule::cosine(20);
  torch::Tensor labels = torch::tensor({0, 1}, torch::kLong);
  GenerationOptions generation;
};

TEST(SamplingDropout, ZeroIsDeterministicAboveZeroActs) {
  LabelModeSampling setup;
  auto& [model, schedule, labels, generation] = setup;
  set_sampling_dropout(*model, 0.0);
  EXPECT_FALSE(model->is_training());
  const auto plain = generate(model, schedule, labels, {}, {}, 12, generation);
  EXPECT_TRUE(torch::equal(plain, generate(model, schedule, labels, {}, {}, 12, generation)));
  set_sampling_dropout(*model, 0.3);
  generation.dropout = 0.3;
  const auto dropped = generate(model, schedule, labels, {}, {}, 12, generation);
  EXPECT_FALSE(torch::allclose(plain, dropped));
  EXPECT_TRUE(torch::equal(dropped, generate(model, schedule, labels, {}, {}, 12, generation)));  // still seeded
}

// generate() runs the model in sampling mode with its options' dropout for the call only: afterwards the model is in
// the mode it was in, with its training dropout, and a model handed over in any mode samples the same clips.
TEST(SamplingDropout, GenerateAppliesItsOptionsAndLeavesTheModelAsItWas) {
  LabelModeSampling setup;
  auto& [model, schedule, labels, generation] = setup;
  generation.dropout = 0.3;
  ASSERT_TRUE(model->is_training());
  const auto from_training_mode = generate(model, schedule, labels, {}, {}, 12, generation);
  EXPECT_TRUE(model->is_training());
  for (const auto& module : model->modules(/*include_self=*/false)) {
    EXPECT_TRUE(module->is_training());
    if (const auto* layer = dynamic_cast<CounterDropoutImpl*>(module.get())) {
      EXPECT_EQ(layer->p(), 0.1);
    }
  }
  model->eval();
  EXPECT_TRUE(torch::equal(from_training_mode, generate(model, schedule, labels, {}, {}, 12, generation)));
  EXPECT_FALSE(model->is_training());
  generation.dropout = 0.0;
  EXPECT_FALSE(torch::allclose(from_training_mode, generate(model, schedule, labels, {}, {}, 12, generation)));
}

// Why masks shared over frames: a decoder layer in sampling mode keeps a clip whose frames are all equal equal frame
// by frame under them (the perturbation is the same at every frame: no frame-to-frame noise), not under per-frame
// masks.
TEST(SamplingDropout, SharedOverFramesPerturbsEveryFrameAlike) {
  torch::manual_seed(6);
  DecoderLayer layer(TransformerLayerOptions{16, 4, 32, 0.3});
  layer->eval();
  for (const auto& module : layer->modules(/*include_self=*/false)) {
    if (dynamic_cast<CounterDropoutImpl*>(module.get()) != nullptr) module->train(true);
  }
  const auto clip = torch::randn({2, 1, 16}).expand({2, 10, 16}).contiguous();
  const auto memory = torch::randn({2, 1, 16});
  const auto frames_alike = [](const torch::Tensor& y) {
    return torch::allclose(y, y.narrow(1, 0, 1).expand_as(y), 1e-5, 1e-5);
  };
  EXPECT_FALSE(frames_alike(layer->forward(clip, memory)));
  const DropoutSharedOverFrames shared;
  const auto y = layer->forward(clip, memory);
  EXPECT_TRUE(frames_alike(y));
  layer->eval();
  EXPECT_FALSE(torch::allclose(y, layer->forward(clip, memory)));  // it did drop
}

TEST(SamplingDropout, SharedOverFramesIsAnOptionOfGenerate) {
  LabelModeSampling setup;
  auto& [model, schedule, labels, generation] = setup;
  generation.dropout = 0.3;
  const auto per_frame = generate(model, schedule, labels, {}, {}, 12, generation);
  generation.dropout_shared_over_frames = true;
  const auto shared = generate(model, schedule, labels, {}, {}, 12, generation);
  EXPECT_FALSE(torch::allclose(per_frame, shared));
  EXPECT_TRUE(torch::equal(shared, generate(model, schedule, labels, {}, {}, 12, generation)));  // seeded
  generation.dropout = 0.0;  // no dropout, nothing to share
  const auto plain = generate(model, schedule, labels, {}, {}, 12, generation);
  generation.dropout_shared_over_frames = false;
  EXPECT_TRUE(torch::equal(plain, generate(model, schedule, labels, {}, {}, 12, generation)));
}

// The sampler computes the exemplar's condition once per run when nothing in its path draws noise: every step must
// still predict exactly what the whole network predicts, with and without guidance, and sampling-time dropout must
// bring back the per-step encoder (its noise is drawn anew at every step).
TEST(SamplingPredictor, ConditionComputedOnceEqualsTheWholeNetworkAtEveryStep) {
  torch::manual_seed(5);
  auto options = small(Conditioning::kExemplar);
  options.dropout = 0.2;
  Generator model(options);
  EXPECT_FALSE(model->condition_is_deterministic());  // training mode
  set_sampling_dropout(*model, 0.0);
  EXPECT_TRUE(model->condition_is_deterministic());
  const auto labels = torch::tensor({0, 3, 4}, torch::kLong);
  const auto exemplar = torch::randn({3, 12, 66});
  auto exemplar_mask = torch::ones({3, 12});
  exemplar_mask.narrow(1, 9, 3).zero_();
  const auto predict = make_x0_predictor(model, labels, exemplar, exemplar_mask, 12, 1.0);
  for (const std::int64_t step : {999, 400, 0}) {
    const auto x_t = torch::randn({3, 12, 66});
    const auto t = torch::full({3}, step, torch::kLong);
    torch::NoGradGuard no_grad;
    EXPECT_TRUE(torch::allclose(predict(x_t, t),
                                model->forward(x_t, t, labels, exemplar, exemplar_mask, torch::ones({3, 12})), 1e-6,
                                1e-6))
        << "t=" << step;
  }
  // every_step: the paper code's way, the same predictions.
  const auto every_step = make_x0_predictor(model, labels, exemplar, exemplar_mask, 12, 1.0, true);
  {
    const auto x_t = torch::randn({3, 12, 66});
    const auto t = torch::full({3}, 300, torch::kLong);
    torch::NoGradGuard no_grad;
    EXPECT_TRUE(torch::allclose(every_step(x_t, t), predict(x_t, t), 1e-6, 1e-6));
  }
  set_sampling_dropout(*model, 0.3);
  EXPECT_FALSE(model->condition_is_deterministic());
  const auto noisy = make_x0_predictor(model, labels, exemplar, exemplar_mask, 12, 1.0);
  const auto x_t = torch::randn({3, 12, 66});
  const auto t = torch::full({3}, 10, torch::kLong);
  torch::NoGradGuard no_grad;
  torch::manual_seed(6);
  const auto first = noisy(x_t, t);
  torch::manual_seed(6);
  const auto encoder_noise_only = model->denoise(x_t, t, model->condition(labels, exemplar, exemplar_mask),
                                                 torch::ones({3, 12}));
  EXPECT_TRUE(torch::allclose(first, encoder_noise_only, 1e-6, 1e-6));  // the same draws in the same order
}

TEST(SamplingPredictor, GuidedLabelModeEqualsTwoWholeNetworkPasses) {
  torch::manual_seed(7);
  Generator model(small(Conditioning::kLabel));
  set_sampling_dropout(*model, 0.0);
  EXPECT_TRUE(model->condition_is_deterministic());
  const auto labels = torch::tensor({1, 2}, torch::kLong);
  const auto no_label = torch::full({2}, 5, torch::kLong);
  const auto predict = make_x0_predictor(model, labels, {}, {}, 12, 2.5);
  const auto x_t = torch::randn({2, 12, 66});
  const auto t = torch::tensor({3, 700}, torch::kLong);
  const auto ones = torch::ones({2, 12});
  torch::NoGradGuard no_grad;
  const auto expected = guided_x0(model->forward(x_t, t, labels, {}, {}, ones),
                                  model->forward(x_t, t, no_label, {}, {}, ones), 2.5);
  EXPECT_TRUE(torch::allclose(predict(x_t, t), expected, 1e-6, 1e-6));
}

}  // namespace
}  // namespace skelaug::models
