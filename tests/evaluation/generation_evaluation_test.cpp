// The generation-evaluation protocol end to end, with a small Action2Motion GRU trained for a few dozen steps on a
// subset of the demo dataset: the real set against itself sits at the real-against-real floor, Gaussian joint noise
// raises FID monotonically, mismatched sets are refused with a message, the JSON is complete and the numbers repeat
// for a seed.
#include "skelaug/evaluation/generation_evaluation.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "skelaug/core/error.h"
#include "skelaug/data/demo_dataset.h"
#include "skelaug/data/skeleton_loader.h"
#include "skelaug/data/topology.h"
#include "skelaug/models/input_streams.h"
#include "skelaug/models/recognizer.h"

namespace skelaug::evaluation {
namespace {

constexpr std::int64_t kClipLength = 40;

data::LoaderOptions preprocessing() {
  data::LoaderOptions options;
  options.clip_length = kClipLength;
  options.centring = data::RootCentring::kFirstFrame;
  return options;
}

std::shared_ptr<const data::SkeletonDataset> make_real_set() {
  data::DemoOptions options;
  options.seed = 5;
  options.clips_per_class = 16;  // 14 classes: 224 clips
  options.subjects = 4;
  options.min_frames = 30;
  options.max_frames = 50;
  return std::make_shared<const data::SkeletonDataset>(data::make_demo_dataset(options));
}

// A copy of `dataset` with independent Gaussian noise of `stddev` metres on every coordinate of every frame.
std::shared_ptr<const data::SkeletonDataset> with_noise(const data::SkeletonDataset& dataset, double stddev,
                                                        std::uint64_t seed) {
  auto noisy = std::make_shared<data::SkeletonDataset>(dataset);
  std::mt19937_64 random(seed);
  std::normal_distribution<double> normal(0.0, stddev);
  for (auto& coordinate : noisy->joints) coordinate += static_cast<float>(normal(random));
  return noisy;
}

// The a2m_gru feature recogniser, trained briefly (as `skelaug train recognizer` reads clips, with random crops).
std::shared_ptr<models::RecognizerImpl> train_recognizer(const std::shared_ptr<const data::SkeletonDataset>& dataset) {
  torch::manual_seed(0);
  models::RecognizerOptions options;
  options.architecture = "a2m_gru";
  options.topology = dataset->topology;
  options.num_classes = static_cast<std::int64_t>(dataset->class_names.size());
  options.base_channels = 16;
  auto model = models::make_recognizer(options);
  torch::optim::Adam optimiser(model->parameters(), torch::optim::AdamOptions(1e-2));

  auto loading = preprocessing();
  loading.batch_size = 32;
  loading.length_mode = data::LengthMode::kRandomCrop;
  loading.workers = 0;
  data::SkeletonLoader loader(dataset, loading);
  const auto& topology = data::topology(dataset->topology);
  model->train();
  constexpr std::int64_t kSteps = 150;  // about a second on 2 cores; top-1 about 0.75 on the training clips
  for (std::int64_t epoch = 0, step = 0; step < kSteps; ++epoch) {
    loader.start_epoch(epoch);
    while (auto batch = loader.next()) {
      const auto input = models::input_streams(batch->joints.unsqueeze(1), batch->mask, topology, options.streams);
      const auto loss = torch::nn::functional::cross_entropy(model->forward(input, batch->mask), batch->labels);
      optimiser.zero_grad();
      loss.backward();
      optimiser.step();
      if (++step == kSteps) break;
    }
  }
  return model;
}

class GenerationEvaluationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    real_ = make_real_set();
    model_ = train_recognizer(real_);
  }
  static void TearDownTestSuite() {
    model_.reset();
    real_.reset();
  }

  static GenerationEvaluation evaluate(const std::shared_ptr<const data::SkeletonDataset>& generated,
                                       const std::vector<std::int64_t>& generated_clips = {},
                                       const GenerationEvaluationOptions& options = {}) {
    return evaluate_generation(*model_, real_, {}, generated, generated_clips, preprocessing(), torch::kCPU, options);
  }

  static std::shared_ptr<const data::SkeletonDataset> real_;
  static std::shared_ptr<models::RecognizerImpl> model_;
};

std::shared_ptr<const data::SkeletonDataset> GenerationEvaluationTest::real_;
std::shared_ptr<models::RecognizerImpl> GenerationEvaluationTest::model_;

TEST_F(GenerationEvaluationTest, EmbedClipsReadsEveryClipOnceInTheGivenOrder) {
  const std::vector<std::int64_t> clips{17, 3, 200, 3 + 16, 0, 101, 55};  // batch size 3: a short last batch
  model_->train();
  const auto embedded = embed_clips(*model_, real_, clips, preprocessing(), torch::kCPU, 3, /*keep_joints=*/true);
  EXPECT_TRUE(model_->is_training());  // restored
  EXPECT_EQ(embedded.clips, clips);
  ASSERT_EQ(embedded.features.sizes(), (std::vector<std::int64_t>{7, 30}));
  EXPECT_EQ(embedded.features.scalar_type(), torch::kDouble);
  ASSERT_EQ(embedded.joints.sizes(), (std::vector<std::int64_t>{7, kClipLength, 22, 3}));

  // The same clips read one at a time by an evaluation loader and embedded directly.
  auto loading = preprocessing();
  loading.length_mode = data::LengthMode::kCentreCrop;
  const data::SkeletonLoader loader(real_, loading);
  const auto& topology = data::topology(real_->topology);
  model_->eval();
  torch::NoGradGuard no_grad;
  for (std::size_t row = 0; row < clips.size(); ++row) {
    const auto sample = loader.sample(clips[row], 0);
    const auto mask = sample.mask.unsqueeze(0);
    const auto input =
        models::input_streams(sample.joints.unsqueeze(0).unsqueeze(1), mask, topology, model_->options().streams);
    const auto expected = model_->embed(input, mask).to(torch::kDouble)[0];
    EXPECT_TRUE(torch::allclose(embedded.features[row], expected, 1e-5, 1e-6)) << "row " << row;
    EXPECT_EQ(embedded.predictions[row].item<std::int64_t>(),
              model_->forward(input, mask).argmax(1).item<std::int64_t>());
    EXPECT_EQ(embedded.labels[row].item<std::int64_t>(), real_->labels[static_cast<std::size_t>(clips[row])]);
    EXPECT_TRUE(torch::equal(embedded.joints[row], sample.joints));
    EXPECT_TRUE(torch::equal(embedded.mask[row], sample.mask));
  }
}

TEST_F(GenerationEvaluationTest, RealAgainstItselfSitsAtTheFloor) {
  const auto result = evaluate(real_);
  std::cout << result.to_table();
  // Both rows compare bootstrap resamples of the same features: the same distribution of FID.
  EXPECT_GT(result.real.fid.mean, 0.0);
  EXPECT_LT(result.generated.fid.mean, 2.0 * result.real.fid.mean);
  EXPECT_GT(result.generated.fid.mean, 0.5 * result.real.fid.mean);
  // Diversity and multimodality see the same features with the same seeds: identical.
  EXPECT_DOUBLE_EQ(result.generated.diversity.mean, result.real.diversity.mean);
  EXPECT_DOUBLE_EQ(result.generated.multimodality.mean, result.real.multimodality.mean);
  EXPECT_NEAR(result.generated.accuracy.mean, result.real.accuracy.mean,
              2.0 * (result.real.accuracy.half_width + result.generated.accuracy.half_width) + 1e-9);
  // The recogniser learned something: well above chance (1 / 14).
  EXPECT_GT(result.real.accuracy.mean, 0.4);
  // Same clips: no difference in joint positions.
  EXPECT_NEAR(result.fidelity.pose_position_w1_m, 0.0, 1e-9);
  EXPECT_NEAR(result.fidelity.speed_w1_m_s, 0.0, 1e-9);
  EXPECT_TRUE(result.classes_missing_from_generated.empty());
}

TEST_F(GenerationEvaluationTest, JointNoiseRaisesFidMonotonically) {
  double floor = 0, previous = 0, previous_jitter = 0;
  // The recogniser's feature barely moves under a few centimetres of noise (it was trained to classify, and the demo
  // clips carry noise of their own); the levels here are the ones it resolves.
  for (const double stddev : {0.0, 0.15, 0.3, 0.6}) {
    const auto result = evaluate(stddev == 0.0 ? real_ : with_noise(*real_, stddev, 11));
    std::cout << "noise " << stddev << " m: FID " << result.generated.fid.mean << " +- "
              << result.generated.fid.half_width << " (floor " << result.real.fid.mean << "), accuracy "
              << result.generated.accuracy.mean << ", jitter " << result.fidelity.generated.jitter_m_s3 << "\n";
    if (stddev == 0.0) {
      floor = result.real.fid.mean + result.real.fid.half_width;
    } else {
      // Clearly above the floor and above the previous noise level, intervals apart.
      EXPECT_GT(result.generated.fid.mean - result.generated.fid.half_width, floor) << stddev;
      EXPECT_GT(result.generated.fid.mean - result.generated.fid.half_width, previous) << stddev;
      EXPECT_GT(result.fidelity.generated.jitter_m_s3, previous_jitter) << stddev;
    }
    previous = result.generated.fid.mean + result.generated.fid.half_width;
    previous_jitter = result.fidelity.generated.jitter_m_s3;
  }
}

TEST_F(GenerationEvaluationTest, MismatchedSetsAreRefusedWithAMessage) {
  const auto expect_refused = [](const std::shared_ptr<const data::SkeletonDataset>& generated,
                                 const std::string& message) {
    try {
      evaluate(generated);
      ADD_FAILURE() << "accepted; expected: " << message;
    } catch (const core::UserError& error) {
      EXPECT_EQ(std::string(error.what()), message);
    }
  };
  // Another topology (two clips of 24 SMPL joints).
  auto smpl = std::make_shared<data::SkeletonDataset>();
  smpl->topology = "smpl24";
  smpl->fps = real_->fps;
  smpl->class_names = real_->class_names;
  const std::vector<float> frames(10 * 24 * 3, 0.5f);
  smpl->add_clip(frames.data(), 10, 0, {});
  smpl->add_clip(frames.data(), 10, 0, {});
  expect_refused(smpl, "generated set: topology smpl24 differs from the real set's hml22");

  auto renamed = std::make_shared<data::SkeletonDataset>(*real_);
  renamed->class_names[2] = "somersault";
  expect_refused(renamed,
                 "generated set: class 2 is 'somersault', the real set's class 2 is '" + real_->class_names[2] + "'");
  auto fewer = std::make_shared<data::SkeletonDataset>(*real_);
  fewer->class_names.pop_back();
  expect_refused(fewer, "generated set: 13 classes differ from the real set's 14");
  auto faster = std::make_shared<data::SkeletonDataset>(*real_);
  faster->fps = 30;
  expect_refused(faster, "generated set: fps 30 differs from the real set's 20");

  // Too few clips, and no class with two.
  try {
    evaluate(real_, {4});
    ADD_FAILURE() << "one generated clip accepted";
  } catch (const core::UserError& error) {
    EXPECT_EQ(std::string(error.what()), "generated set: 1 clip; the generation metrics need at least 2");
  }
  try {
    evaluate(real_, {0, 16, 32});  // the first clip of classes 0, 1, 2
    ADD_FAILURE() << "no class with two clips accepted";
  } catch (const core::UserError& error) {
    EXPECT_NE(std::string(error.what()).find("generated set: no class has 2 clips"), std::string::npos) << error.what();
  }
  // A recogniser of another topology.
  try {
    embed_clips(*model_, smpl, {}, preprocessing(), torch::kCPU, 8);
    ADD_FAILURE() << "recogniser of hml22 accepted smpl24 clips";
  } catch (const core::UserError& error) {
    EXPECT_EQ(std::string(error.what()), "recogniser: topology hml22 differs from the dataset's smpl24");
  }
}

TEST_F(GenerationEvaluationTest, JsonHasEveryKeyAndFiniteIntervals) {
  // Generated: every clip but those of class 0, which is then listed as missing.
  std::vector<std::int64_t> generated_clips;
  for (std::size_t clip = 0; clip < real_->size(); ++clip) {
    if (real_->labels[clip] != 0) generated_clips.push_back(static_cast<std::int64_t>(clip));
  }
  GenerationEvaluationOptions options;
  options.repetitions = 7;
  const auto noisy = with_noise(*real_, 0.02, 3);
  const auto result = evaluate(noisy, generated_clips, options);
  const auto json = result.to_json();
  for (const auto* key : {"protocol", "recognizer", "topology", "fps", "class_names", "classes_missing_from_generated",
                          "real", "generated", "fidelity"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
  for (const auto* key :
       {"repetitions", "diversity_pairs", "multimodality_pairs", "seed", "fid", "accuracy", "interval"}) {
    EXPECT_TRUE(json["protocol"].contains(key)) << key;
  }
  EXPECT_EQ(json["recognizer"]["architecture"], "a2m_gru");
  EXPECT_EQ(json["recognizer"]["feature_dim"], 30);
  EXPECT_EQ(json["classes_missing_from_generated"], nlohmann::json::array({real_->class_names[0]}));
  EXPECT_EQ(json["real"]["clips"], 224);
  EXPECT_EQ(json["generated"]["clips"], 224 - 16);
  for (const auto* set : {"real", "generated"}) {
    for (const auto* metric : {"fid", "accuracy", "diversity", "multimodality"}) {
      SCOPED_TRACE(std::string(set) + " " + metric);
      const auto& value = json[set][metric];
      ASSERT_TRUE(value["mean"].is_number());
      ASSERT_TRUE(value["half_width"].is_number());
      EXPECT_TRUE(std::isfinite(value["mean"].get<double>()));
      EXPECT_GE(value["half_width"].get<double>(), 0.0);
      EXPECT_GT(value["half_width"].get<double>(), 0.0);  // resamples and seeds differ between repetitions
      EXPECT_EQ(value["values"].size(), 7U);
    }
    EXPECT_GE(json[set]["accuracy"]["mean"].get<double>(), 0.0);
    EXPECT_LE(json[set]["accuracy"]["mean"].get<double>(), 1.0);
  }
  for (const auto* key : {"pose_position_w1_m", "root_position_w1_m", "speed_w1_m_s", "position_w1_per_joint_m",
                          "speed_w1_per_joint_m_s", "foot_joints", "real", "generated"}) {
    EXPECT_TRUE(json["fidelity"].contains(key)) << key;
  }
  EXPECT_GT(json["fidelity"]["pose_position_w1_m"].get<double>(), 0.0);
  EXPECT_EQ(json["fidelity"]["generated"]["clips"], 224 - 16);

  const auto table = result.to_table();
  std::cout << table;
  EXPECT_NE(table.find("FID"), std::string::npos);
  EXPECT_NE(table.find("Multimodality"), std::string::npos);
  EXPECT_NE(table.find("\nreal          224  "), std::string::npos) << table;
  EXPECT_NE(table.find("\ngenerated     208  "), std::string::npos) << table;
  EXPECT_NE(table.find(" ± "), std::string::npos);
  EXPECT_NE(table.find("classes without generated clips: " + real_->class_names[0]), std::string::npos);
  EXPECT_NE(table.find("pose position W1"), std::string::npos);
}

TEST_F(GenerationEvaluationTest, SameSeedSameNumbers) {
  GenerationEvaluationOptions options;
  options.repetitions = 5;
  options.seed = 42;
  const auto noisy = with_noise(*real_, 0.02, 3);
  const auto first = evaluate(noisy, {}, options).to_json();
  const auto second = evaluate(noisy, {}, options).to_json();
  EXPECT_EQ(first.dump(), second.dump());
  options.seed = 43;
  const auto other = evaluate(noisy, {}, options).to_json();
  EXPECT_NE(first["generated"]["fid"]["values"], other["generated"]["fid"]["values"]);
  EXPECT_NE(first["generated"]["diversity"]["values"], other["generated"]["diversity"]["values"]);
  EXPECT_EQ(first["fidelity"].dump(), other["fidelity"].dump());  // no randomness in the fidelity statistics
}

TEST_F(GenerationEvaluationTest, OptionsOutOfRangeAreRefused) {
  GenerationEvaluationOptions options;
  options.repetitions = 0;
  EXPECT_THROW(evaluate(real_, {}, options), core::UserError);
  options = {};
  options.diversity_pairs = 0;
  EXPECT_THROW(evaluate(real_, {}, options), core::UserError);
  options = {};
  options.batch_size = 0;
  EXPECT_THROW(evaluate(real_, {}, options), core::UserError);
}

}  // namespace
}  // namespace skelaug::evaluation
