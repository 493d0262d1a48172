// The generative refinement module: each filter against constructed clips (a copy of the exemplar, stretched bones,
// jitter, a clip far from its exemplar, a recogniser that is sure of one class), its statistics, and the sampler with
// the module on: rounds and redraws counted, kept clips within bounds, the same clips whatever the batching.
#include "skelaug/sampling/refinement.h"

#include <gtest/gtest.h>
#include <torch/serialize.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "skelaug/core/config.h"
#include "skelaug/core/config_schema.h"
#include "skelaug/core/error.h"
#include "skelaug/core/run_directory.h"
#include "skelaug/data/data_config.h"
#include "skelaug/evaluation/clip_plausibility.h"
#include "skelaug/models/checkpoint_weights.h"
#include "skelaug/models/recognizer_config.h"
#include "skelaug/sampling/sampler.h"
#include "tiny_generator.h"

namespace skelaug::sampling {
namespace {

namespace fs = std::filesystem;
constexpr std::int64_t kFrames = 20;

// The first kFrames frames of `dataset`'s clip `clip`: [kFrames, J, 3].
torch::Tensor clip_joints(const data::SkeletonDataset& dataset, std::size_t clip) {
  return torch::from_blob(const_cast<float*>(dataset.clip_data(clip)), {kFrames, dataset.num_joints(), 3},
                          torch::kFloat)
      .clone();
}

class Refinement : public testing::TinyGeneratorTest {
 protected:
  void SetUp() override {
    TinyGeneratorTest::SetUp();
    exemplar_ = clip_joints(dataset_, 0);
  }

  // The verdict on `generated` (one clip [kFrames, J, 3] of label 0) against exemplar clip 0.
  Verdicts judge(const RefineSettings& settings, const torch::Tensor& generated,
                 std::optional<LabelScorer> scorer = std::nullopt, std::int64_t label = 0) const {
    ClipJudge judge(settings, dataset_, true, std::move(scorer));
    auto clips = std::make_shared<data::SkeletonDataset>();
    clips->topology = dataset_.topology;
    clips->fps = dataset_.fps;
    clips->class_names = dataset_.class_names;
    const auto contiguous = generated.contiguous();
    clips->add_clip(contiguous.data_ptr<float>(), kFrames, label, {});
    return judge.judge(clips, contiguous.unsqueeze(0), exemplar_.unsqueeze(0), torch::ones({1, kFrames}));
  }

  torch::Tensor exemplar_;
};

TEST_F(Refinement, AnExactCopyOfTheExemplarIsRejectedAsANearCopy) {
  RefineSettings settings;
  settings.min_deviation = 0.01;
  const auto copy = judge(settings, exemplar_);
  EXPECT_EQ(copy.failed[0], kNearCopy);
  EXPECT_NEAR(copy.deviation[0], 0.0, 1e-6);
  // Walking elsewhere with the same poses is still a copy: the deviation aligns the roots frame by frame.
  const auto moved = exemplar_ + torch::tensor({1.0f, 0.0f, 2.0f}).view({1, 1, 3}) *
                                     torch::arange(kFrames, torch::kFloat).view({kFrames, 1, 1});
  EXPECT_EQ(judge(settings, moved).failed[0], kNearCopy);
  // Other poses are not.
  EXPECT_EQ(judge(settings, clip_joints(dataset_, 3)).failed[0], -1);
}

TEST_F(Refinement, AClipFarFromItsExemplarIsRejected) {
  RefineSettings settings;
  settings.max_deviation = 0.1;
  auto far = exemplar_.clone();
  far.slice(1, 1) += 0.5;  // every joint but the root 0.5 m further along x, y and z
  const auto verdict = judge(settings, far);
  EXPECT_EQ(verdict.failed[0], kTooFar);
  const double joints = static_cast<double>(dataset_.num_joints());
  EXPECT_NEAR(verdict.deviation[0], 0.5 * std::sqrt(3.0) * (joints - 1) / joints, 1e-4);
  EXPECT_EQ(judge(settings, exemplar_).failed[0], -1);
}

TEST_F(Refinement, AClipWithStretchedBonesIsRejected) {
  RefineSettings settings;
  settings.max_bone_error = 0.02;
  const auto root = exemplar_.slice(1, 0, 1);
  const auto stretched = root + 1.3 * (exemplar_ - root);  // every bone 30% longer
  EXPECT_EQ(judge(settings, stretched).failed[0], kBoneError);
  EXPECT_EQ(judge(settings, exemplar_).failed[0], -1);
  // The same skeleton in other poses (the clip played backwards) passes: the check is about the skeleton.
  EXPECT_EQ(judge(settings, exemplar_.flip(0)).failed[0], -1);
}

TEST_F(Refinement, AJitteryClipIsRejected) {
  RefineSettings settings;
  const double own = evaluation::clip_jitter(exemplar_.unsqueeze(0), torch::ones({1, kFrames}), dataset_.fps)[0]
                         .item<double>();
  settings.max_jitter = 2 * own;  // m/s^3
  EXPECT_EQ(judge(settings, exemplar_).failed[0], -1);
  const auto sign = torch::arange(kFrames, torch::kFloat).remainder(2).mul(2).sub(1).view({kFrames, 1, 1});
  EXPECT_EQ(judge(settings, exemplar_ + 0.05 * sign).failed[0], kJitter) << own;  // a 5 cm flicker
}

TEST_F(Refinement, FiltersThatNeedAnExemplarAreRefusedInLabelMode) {
  RefineSettings settings;
  settings.max_bone_error = 0.02;
  try {
    ClipJudge(settings, dataset_, false, std::nullopt);
    FAIL() << "expected a UserError";
  } catch (const core::UserError& error) {
    EXPECT_NE(std::string(error.what()).find("sample.refine.max_bone_error"), std::string::npos) << error.what();
  }
  settings = {};
  settings.max_jitter = 100;
  EXPECT_NO_THROW(ClipJudge(settings, dataset_, false, std::nullopt));
}

TEST_F(Refinement, StatisticsAddUpAndRoundTripThroughJson) {
  RefinementStats a, b;
  a.items = 4;
  a.accepted = 3;
  a.dropped = 1;
  a.rounds = 5;
  a.rejections[kJitter] = 6;
  a.per_class["wave"] = {4, 3};
  b.items = 2;
  b.accepted = 2;
  b.redraws = 1;
  b.rejections[kNearCopy] = 1;
  b.per_class["wave"] = {1, 1};
  b.per_class["kick"] = {1, 1};
  a.add(b);
  const auto json = a.to_json();
  EXPECT_EQ(json.at("acceptance").get<double>(), 5.0 / 6.0);
  EXPECT_EQ(json.at("rejections").at("max_jitter").get<std::int64_t>(), 6);
  EXPECT_EQ(json.at("per_class").at("wave").at("accepted").get<std::int64_t>(), 4);
  const auto back = RefinementStats::from_json(json);
  EXPECT_EQ(back.to_json(), json);
  EXPECT_EQ(a.summary(),
            "refinement: 5 of 6 items accepted (83.3%), 1 dropped; 5 refinement rounds, 1 redraws; rejections: "
            "min_deviation 1, max_jitter 6");
}

// A finished recogniser run directory whose final network (its newest checkpoint) gives every clip class `sure_of`
// with probability ~1: every weight zero but the classifier's bias. Its older checkpoint and its best/ weights (chosen
// on held-out clips) are sure of another class, so a scorer that read either would judge the other way.
fs::path write_sure_recognizer(const fs::path& directory, const data::SkeletonDataset& dataset,
                               const std::string& data_file, std::int64_t sure_of, core::Schema& schema) {
  const auto run = directory / "recognizer_run";
  fs::create_directories(run / "best");
  fs::create_directories(run / "checkpoints");
  std::ofstream(run / "config.yaml") << "data:\n  train: " << data_file
                                     << "\n  train_split: train\n  test_split: test\n  clip_length: 12\n"
                                        "recognizer:\n  architecture: stgcn_pp\n  base_channels: 8\n  stages: 2\n";
  core::add_run_config_keys(schema);
  data::add_data_config_keys(schema);
  models::add_recognizer_config_keys(schema);
  const auto config = core::load_config(schema, run / "config.yaml");
  auto model = models::make_configured_recognizer(models::recognizer_settings(config).for_dataset(dataset));
  const auto save_sure_of = [&](std::int64_t label, const fs::path& file) {
    {
      torch::NoGradGuard no_grad;
      for (auto& parameter : model->named_parameters()) {
        parameter.value().zero_();
        if (parameter.key() == "head.linear.bias") parameter.value()[label] = 20;
      }
    }
    torch::serialize::OutputArchive archive, weights;
    model->save(weights);
    archive.write(models::kModelWeights, weights);
    archive.save_to(file.string());
  };
  const auto other = (sure_of + 1) % static_cast<std::int64_t>(dataset.class_names.size());
  save_sure_of(other, run / "best" / "checkpoint-000000008.pt");
  save_sure_of(other, run / "checkpoints" / "checkpoint-000000008.pt");
  save_sure_of(sure_of, run / "checkpoints" / "checkpoint-000000010.pt");
  return run;
}

// The recogniser's final weights judge, not its best/ ones: those are chosen on its held-out clips, the test split in
// a study, and must not shape a training set.
TEST_F(Refinement, AClipTheRecogniserIsSureOfIsKeptAndOthersAreNot) {
  core::Schema schema;
  const auto run = write_sure_recognizer(directory_, dataset_, options_.data.train, 0, schema);
  const auto config = core::load_config(schema, run / "config.yaml");
  RefineSettings settings;
  settings.recognizer = run.string();
  settings.min_confidence = 0.5;
  LabelScorer scorer(run, config, settings, dataset_, torch::kCPU);
  EXPECT_EQ(scorer.threshold(0), 0.5);
  const auto kept = judge(settings, exemplar_, scorer, 0);
  EXPECT_EQ(kept.failed[0], -1);
  EXPECT_GT(kept.confidence[0], 0.99);
  const auto rejected = judge(settings, exemplar_, scorer, 1);
  EXPECT_EQ(rejected.failed[0], kLowConfidence);
  EXPECT_LT(rejected.confidence[0], 0.01);

  // auto: each class's threshold is the recogniser's own confidence on held-out clips of that class.
  settings.min_confidence = 0;
  settings.auto_confidence = true;
  LabelScorer automatic(run, config, settings, dataset_, torch::kCPU);
  EXPECT_GT(automatic.threshold(0), 0.99);
  EXPECT_LT(automatic.threshold(1), 0.01);
}

TEST_F(Refinement, ARecogniserOfOtherClassesIsRefused) {
  core::Schema schema;
  const auto run = write_sure_recognizer(directory_, dataset_, options_.data.train, 0, schema);
  const auto config = core::load_config(schema, run / "config.yaml");
  RefineSettings settings;
  settings.min_confidence = 0.5;
  auto other = dataset_;
  std::swap(other.class_names[0], other.class_names[1]);
  try {
    LabelScorer(run, config, settings, other, torch::kCPU);
    FAIL() << "expected a UserError";
  } catch (const core::UserError& error) {
    EXPECT_NE(std::string(error.what()).find("same classes in the same order"), std::string::npos) << error.what();
  }
}

// The sampler with the module on, over 2 clips per class of the tiny generator.
class RefiningSampler : public Refinement {
 protected:
  Sampler::Generated generate() {
    Sampler sampler(options_, torch::kCPU);
    return sampler.generate(work_items(sampler.dataset(), options_, sampler.uses_exemplars()));
  }
};

TEST_F(RefiningSampler, AnItemRejectedEveryTimeIsRefinedRedrawnThenDroppedAndCounted) {
  options_.sample.refine.min_deviation = 100;  // every clip is a "near copy"
  options_.sample.refine.renoise_step = 10;
  options_.sample.refine.max_rounds = 2;
  options_.sample.refine.max_draws = 2;
  const auto generated = generate();
  const auto& stats = generated.refinement;
  const std::int64_t items = 2 * static_cast<std::int64_t>(dataset_.class_names.size());
  EXPECT_EQ(generated.clips.size(), 0u);
  EXPECT_EQ(stats.items, items);
  EXPECT_EQ(stats.accepted, 0);
  EXPECT_EQ(stats.dropped, items);
  EXPECT_EQ(stats.rounds, items * 2 * 2);  // 2 rounds for each of 2 draws
  EXPECT_EQ(stats.redraws, items);
  EXPECT_EQ(stats.rejections[kNearCopy], items * 2 * 3);  // each draw judged after it and after each round
  EXPECT_EQ(stats.per_class.at(dataset_.class_names[0])[0], 2);
  EXPECT_EQ(stats.per_class.at(dataset_.class_names[0])[1], 0);
}

TEST_F(RefiningSampler, RefinedClipsStayWithinBoundsRecordTheirRoundsAndDoNotDependOnTheBatch) {
  // The deviations of unfiltered samples, to put the bound between two of them near the median.
  options_.sample.refine.max_deviation = 1e9;
  const auto unfiltered = generate();
  ASSERT_EQ(unfiltered.refinement.accepted, unfiltered.refinement.items);
  auto deviations = unfiltered.clips.gen_deviation;
  std::sort(deviations.begin(), deviations.end());
  const auto middle = deviations.size() / 2;
  const double bound = 0.5 * (deviations[middle - 1] + deviations[middle]);

  options_.sample.refine.max_deviation = bound;
  options_.sample.refine.renoise_step = 10;
  options_.sample.refine.max_rounds = 3;
  options_.sample.refine.max_draws = 2;
  const auto refined = generate();
  const auto& stats = refined.refinement;
  EXPECT_EQ(stats.accepted, static_cast<std::int64_t>(refined.clips.size()));
  EXPECT_EQ(stats.accepted + stats.dropped, stats.items);
  EXPECT_GT(stats.rejections[kTooFar], 0);
  std::map<std::int64_t, std::size_t> by_seed;  // a kept clip by the seed of its draw: unique per item and draw
  std::int64_t refined_clips = 0;
  for (std::size_t i = 0; i < refined.clips.size(); ++i) {
    EXPECT_LE(refined.clips.gen_deviation[i], bound);
    EXPECT_LE(refined.clips.gen_rounds[i], 3);
    refined_clips += refined.clips.gen_rounds[i] > 0;
    by_seed[refined.clips.gen_seed[i]] = i;
  }
  EXPECT_GT(refined_clips, 0) << "no clip was accepted after a refinement round";
  // The samples within the bound at the first try are kept as they were drawn.
  const auto j = static_cast<std::size_t>(dataset_.num_joints()) * 3 * 12;
  std::size_t kept_as_drawn = 0;
  for (std::size_t i = 0; i < unfiltered.clips.size(); ++i) {
    if (unfiltered.clips.gen_deviation[i] > bound) continue;
    ++kept_as_drawn;
    const auto found = by_seed.find(unfiltered.clips.gen_seed[i]);
    ASSERT_NE(found, by_seed.end()) << "clip " << i;
    EXPECT_EQ(refined.clips.gen_rounds[found->second], 0);
    for (std::size_t v = 0; v < j; ++v) {
      ASSERT_EQ(refined.clips.joints[found->second * j + v], unfiltered.clips.joints[i * j + v]) << "clip " << i;
    }
  }
  EXPECT_EQ(kept_as_drawn, middle);

  for (const std::int64_t batch : {7, 64}) {
    options_.sample.batch_size = batch;
    const auto other = generate();
    ASSERT_EQ(other.clips.size(), refined.clips.size()) << "batch " << batch;
    EXPECT_EQ(other.clips.gen_seed, refined.clips.gen_seed);
    EXPECT_EQ(other.clips.gen_rounds, refined.clips.gen_rounds);
    EXPECT_EQ(other.refinement.to_json(), stats.to_json());
    for (std::size_t v = 0; v < other.clips.joints.size(); ++v) {
      ASSERT_NEAR(other.clips.joints[v], refined.clips.joints[v], 1e-4) << "batch " << batch;
    }
  }
}

}  // namespace
}  // namespace skelaug::sampling
