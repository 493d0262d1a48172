#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "skelaug/core/error.h"
#include "skelaug/data/distributed_sampler.h"
#include "skelaug/data/skeleton_loader.h"
#include "skelaug/data/transforms.h"

namespace skelaug::data {
namespace {

// Random clips of 20-60 frames on hml22 with a drifting root, labels cycling over 4 classes, two splits.
std::shared_ptr<SkeletonDataset> random_dataset(int clips) {
  auto dataset = std::make_shared<SkeletonDataset>();
  dataset->topology = "hml22";
  dataset->fps = 20;
  dataset->class_names = {"a", "b", "c", "d"};
  std::mt19937 engine(3);
  std::uniform_real_distribution<float> uniform(-1, 1);
  for (int c = 0; c < clips; ++c) {
    const int frames = 20 + static_cast<int>(engine() % 41);
    std::vector<float> values(static_cast<std::size_t>(frames) * 22 * 3);
    for (auto& v : values) v = uniform(engine);
    ClipInfo info;
    info.split = c % 5 == 0 ? "test" : "train";
    dataset->add_clip(values.data(), frames, c % 4, info);
  }
  return dataset;
}

TEST(DistributedSampler, ExactModeCoversEverySampleOnceWithEqualSteps) {
  for (const std::int64_t samples : {1, 7, 10, 33, 64}) {
    for (int world = 1; world <= 4; ++world) {
      for (const std::int64_t batch : {1, 3, 8}) {
        std::multiset<std::int64_t> seen;
        for (int rank = 0; rank < world; ++rank) {
          DistributedSampler sampler(samples, world, rank, 42, true, ShardMode::kExact);
          sampler.set_epoch(3);
          const auto batches = sampler.batches(batch);
          EXPECT_EQ(static_cast<std::int64_t>(batches.size()), sampler.num_batches(batch));
          for (const auto& b : batches) {
            EXPECT_LE(static_cast<std::int64_t>(b.size()), batch);
            seen.insert(b.begin(), b.end());
          }
        }
        ASSERT_EQ(static_cast<std::int64_t>(seen.size()), samples) << samples << " " << world << " " << batch;
        for (std::int64_t i = 0; i < samples; ++i) EXPECT_EQ(seen.count(i), 1u);
      }
    }
  }
}

TEST(DistributedSampler, PadModeGivesFullEqualBatchesAndDisjointPositions) {
  for (const std::int64_t samples : {5, 33}) {
    for (int world = 1; world <= 4; ++world) {
      std::set<std::int64_t> seen;
      std::set<std::size_t> steps;
      for (int rank = 0; rank < world; ++rank) {
        DistributedSampler sampler(samples, world, rank, 1, true, ShardMode::kPad);
        const auto batches = sampler.batches(4);
        steps.insert(batches.size());
        for (const auto& b : batches) {
          EXPECT_EQ(b.size(), 4u);
          seen.insert(b.begin(), b.end());
        }
      }
      EXPECT_EQ(steps.size(), 1u);
      EXPECT_EQ(static_cast<std::int64_t>(seen.size()), samples);  // every sample at least once
    }
  }
}

TEST(DistributedSampler, PermutationDependsOnlyOnSeedAndEpoch) {
  DistributedSampler a(100, 4, 0, 9, true, ShardMode::kPad), b(100, 4, 3, 9, true, ShardMode::kPad);
  a.set_epoch(2);
  b.set_epoch(2);
  EXPECT_EQ(a.permutation(), b.permutation());
  b.set_epoch(3);
  EXPECT_NE(a.permutation(), b.permutation());
  DistributedSampler unshuffled(5, 1, 0, 9, false, ShardMode::kExact);
  EXPECT_EQ(unshuffled.permutation(), (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
}

TEST(Transforms, FixLengthCropsPadsAndResamples) {
  std::mt19937_64 engine(1);
  const auto clip = at::arange(10 * 2 * 3, at::kFloat).view({10, 2, 3});
  const auto cropped = fix_length(clip, 4, LengthMode::kCentreCrop, engine);
  EXPECT_TRUE(at::equal(cropped.joints, clip.narrow(0, 3, 4)));
  EXPECT_EQ(cropped.mask.sum().item<float>(), 4);
  const auto padded = fix_length(clip, 15, LengthMode::kRandomCrop, engine);
  EXPECT_TRUE(at::equal(padded.joints.narrow(0, 0, 10), clip));
  EXPECT_TRUE(at::equal(padded.joints[14], clip[9]));
  EXPECT_EQ(padded.mask.sum().item<float>(), 10);
  EXPECT_EQ(padded.mask[10].item<float>(), 0);
  const auto resampled = fix_length(clip, 19, LengthMode::kResample, engine);
  EXPECT_TRUE(at::allclose(resampled.joints[0], clip[0]));
  EXPECT_TRUE(at::allclose(resampled.joints[18], clip[9]));
  EXPECT_TRUE(at::allclose(resampled.joints[1], (clip[0] + clip[1]) / 2));
}

TEST(Transforms, RootCentring) {
  const auto clip = at::randn({5, 22, 3});
  const auto first = centre_root(clip, RootCentring::kFirstFrame);
  EXPECT_TRUE(at::allclose(first[0][0], at::zeros({3})));
  EXPECT_TRUE(at::allclose(first[4][0], clip[4][0] - clip[0][0]));
  const auto per_frame = centre_root(clip, RootCentring::kPerFrame);
  EXPECT_TRUE(at::allclose(per_frame.select(1, 0), at::zeros({5, 3})));
}

at::Tensor bone_lengths(const at::Tensor& clip, const Topology& t) {
  std::vector<at::Tensor> lengths;
  for (const auto& [child, parent] : t.edges()) lengths.push_back((clip.select(1, child) - clip.select(1, parent)).norm(2, -1));
  return at::stack(lengths, 1);
}

TEST(Transforms, AugmentationsActAsDefined) {
  const auto& t = topology("hml22");
  const auto clip = at::randn({6, 22, 3});
  std::mt19937_64 engine(5);
  AugmentOptions rotate;
  rotate.rotation_deg = 90;
  const auto rotated = augment_spatial(clip, rotate, t, engine);
  EXPECT_TRUE(at::allclose(bone_lengths(rotated, t), bone_lengths(clip, t), 1e-4, 1e-5));
  EXPECT_TRUE(at::allclose(rotated.select(2, 1), clip.select(2, 1)));  // the vertical axis is untouched
  EXPECT_FALSE(at::allclose(rotated, clip));

  AugmentOptions scale;
  scale.scale = 0.3;
  const auto scaled = augment_spatial(clip, scale, t, engine);
  const auto ratio = (bone_lengths(scaled, t) / bone_lengths(clip, t));
  EXPECT_NEAR(ratio.min().item<float>(), ratio.max().item<float>(), 1e-4);
  EXPECT_LE(std::abs(ratio.mean().item<float>() - 1), 0.3 + 1e-5);

  const auto mirrored = mirror(clip, t, 0);
  EXPECT_TRUE(at::allclose(mirror(mirrored, t, 0), clip));
  const int left = t.index_of("left_wrist"), right = t.index_of("right_wrist");
  EXPECT_TRUE(at::allclose(mirrored.select(1, right).select(1, 0), -clip.select(1, left).select(1, 0)));
  EXPECT_TRUE(at::allclose(mirrored.select(1, right).select(1, 1), clip.select(1, left).select(1, 1)));

  AugmentOptions jitter;
  jitter.jitter_std = 0.01;
  const auto noisy = augment_spatial(clip, jitter, t, engine);
  EXPECT_NEAR((noisy - clip).std().item<float>(), 0.01, 0.002);
}

TEST(Transforms, NormalisationStatsStandardise) {
  const auto dataset = random_dataset(40);
  const auto stats = NormalisationStats::compute(*dataset, RootCentring::kNone);
  std::vector<at::Tensor> clips;
  for (std::size_t i = 0; i < dataset->size(); ++i) clips.push_back(stats.normalise(clip_tensor(*dataset, i)));
  const auto all = at::cat(clips, 0);
  EXPECT_LT(all.mean({0}).abs().max().item<float>(), 1e-4);
  EXPECT_NEAR(all.std(0, false).mean().item<float>(), 1.0, 1e-3);
  EXPECT_TRUE(at::allclose(stats.denormalise(stats.normalise(clips[0])), clips[0], 1e-4, 1e-5));
}

TEST(Transforms, LowDataSubsetIsStratifiedAndDeterministic) {
  const auto dataset = random_dataset(200);
  const auto tenth = subset_indices(*dataset, "train", 0.1, 7);
  EXPECT_EQ(tenth, subset_indices(*dataset, "train", 0.1, 7));
  EXPECT_NE(tenth, subset_indices(*dataset, "train", 0.1, 8));
  EXPECT_EQ(tenth.size(), 16u);  // 160 training clips, 40 per class, 4 of each kept
  std::map<std::int64_t, int> per_class;
  for (const auto i : tenth) {
    EXPECT_EQ(dataset->split[static_cast<std::size_t>(i)], "train");
    ++per_class[dataset->labels[static_cast<std::size_t>(i)]];
  }
  for (const auto& [label, count] : per_class) EXPECT_EQ(count, 4) << label;
  EXPECT_EQ(subset_indices(*dataset, "", 1.0, 0).size(), 200u);
  EXPECT_THROW(subset_indices(*dataset, "train", 0.0, 0), core::UserError);
  EXPECT_THROW(subset_indices(*dataset, "val", 0.5, 0), core::UserError);
}

TEST(Transforms, ClipsOutsideASubsetAreTheSplitsOtherClips) {
  const auto dataset = random_dataset(200);
  const auto tenth = subset_indices(*dataset, "train", 0.1, 7);
  const auto left_out = clips_outside(*dataset, "train", tenth);
  EXPECT_EQ(left_out.size(), 160u - tenth.size());
  EXPECT_TRUE(std::is_sorted(left_out.begin(), left_out.end()));
  for (const auto clip : left_out) {
    EXPECT_EQ(dataset->split[static_cast<std::size_t>(clip)], "train");
    EXPECT_EQ(std::count(tenth.begin(), tenth.end(), clip), 0) << clip;
  }
  EXPECT_EQ(clips_outside(*dataset, "test", tenth), subset_indices(*dataset, "test", 1.0, 0));
  EXPECT_TRUE(clips_outside(*dataset, "train", subset_indices(*dataset, "train", 1.0, 0)).empty());
}

LoaderOptions augmented_options(int workers) {
  LoaderOptions options;
  options.batch_size = 8;
  options.clip_length = 30;
  options.augment.rotation_deg = 30;
  options.augment.jitter_std = 0.01;
  options.augment.mirror_probability = 0.5;
  options.augment.speed = 0.2;
  options.seed = 11;
  options.workers = workers;
  return options;
}

std::vector<Batch> epoch_batches(SkeletonLoader& loader, std::int64_t epoch) {
  loader.start_epoch(epoch);
  std::vector<Batch> batches;
  while (auto batch = loader.next()) batches.push_back(std::move(*batch));
  return batches;
}

TEST(SkeletonLoader, SameBatchesWhateverTheThreadCount) {
  const auto dataset = random_dataset(50);
  SkeletonLoader synchronous(dataset, augmented_options(0));
  SkeletonLoader threaded(dataset, augmented_options(3));
  const auto a = epoch_batches(synchronous, 1);
  const auto b = epoch_batches(threaded, 1);
  ASSERT_EQ(a.size(), 7u);  // ceil(50 / 8), padded
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].step, static_cast<std::int64_t>(i));
    EXPECT_EQ(a[i].clips, b[i].clips);
    EXPECT_TRUE(at::equal(a[i].joints, b[i].joints));
    EXPECT_TRUE(at::equal(a[i].mask, b[i].mask));
    EXPECT_TRUE(at::equal(a[i].labels, b[i].labels));
    EXPECT_EQ(a[i].joints.sizes(), (std::vector<std::int64_t>{8, 30, 22, 3}));
  }
  const auto next_epoch = epoch_batches(threaded, 2);
  EXPECT_NE(next_epoch[0].clips, a[0].clips);
}

TEST(SkeletonLoader, RanksShareTheEpochAndResumeMidEpoch) {
  const auto dataset = random_dataset(37);
  std::multiset<std::int64_t> seen;
  for (int rank = 0; rank < 3; ++rank) {
    auto options = augmented_options(2);
    options.rank = rank;
    options.world_size = 3;
    options.shard = ShardMode::kExact;
    options.clips = subset_indices(*dataset, "", 1.0, 0);
    SkeletonLoader loader(dataset, options);
    const auto batches = epoch_batches(loader, 0);
    EXPECT_EQ(static_cast<std::int64_t>(batches.size()), loader.steps_per_epoch());
    for (const auto& batch : batches) seen.insert(batch.clips.begin(), batch.clips.end());
    loader.start_epoch(0, 1);  // resume at step 1: same batches as an uninterrupted epoch
    auto resumed = loader.next();
    ASSERT_TRUE(resumed.has_value());
    EXPECT_EQ(resumed->step, 1);
    EXPECT_TRUE(at::equal(resumed->joints, batches[1].joints));
  }
  EXPECT_EQ(seen.size(), 37u);
  EXPECT_EQ(std::set<std::int64_t>(seen.begin(), seen.end()).size(), 37u);
}

TEST(SkeletonLoader, NormalisedSamplesUseTheStats) {
  const auto dataset = random_dataset(20);
  LoaderOptions options;
  options.clip_length = 20;
  options.length_mode = LengthMode::kCentreCrop;
  options.centring = RootCentring::kNone;
  options.stats = NormalisationStats::compute(*dataset, RootCentring::kNone);
  options.workers = 1;
  SkeletonLoader loader(dataset, options);
  const auto sample = loader.sample(3, 0);
  std::mt19937_64 engine(0);
  const auto expected = fix_length(clip_tensor(*dataset, 3), 20, LengthMode::kCentreCrop, engine).joints;
  EXPECT_TRUE(at::allclose(options.stats->denormalise(sample.joints), expected, 1e-4, 1e-5));
}

TEST(LeftRightNames, PairNamesThatDifferOnlyInTheSideWord) {
  const std::vector<std::string> names{"wave_left", "clap", "right hand up", "wave_right", "left hand up", "cleft",
                                       "cright", "turn_left", "left_foot", "right_foot"};
  const std::vector<std::pair<int, int>> expected{{0, 3}, {4, 2}, {8, 9}};
  EXPECT_EQ(left_right_name_pairs(names), expected);  // "cleft" is no side; "turn_left" has no twin
  // The built-in skeletons' mirror joints come from the same rule: hml22's eight limb pairs.
  const auto& hml22 = topology("hml22");
  ASSERT_EQ(hml22.mirror_pairs.size(), 8u);
  for (const auto& [left, right] : hml22.mirror_pairs) {
    EXPECT_EQ("right_" + hml22.joint_names[static_cast<std::size_t>(left)].substr(5),
              hml22.joint_names[static_cast<std::size_t>(right)]);
  }
}

TEST(SkeletonLoader, AMirroredClipOfASidedClassTakesItsTwinsLabel) {
  auto dataset = random_dataset(40);
  dataset->class_names = {"wave_left", "clap", "wave_right", "kick"};
  LoaderOptions options;
  options.clip_length = 16;
  options.length_mode = LengthMode::kCentreCrop;
  options.centring = RootCentring::kNone;
  options.workers = 0;
  options.batch_size = 40;
  options.augment.mirror_probability = 0.5;
  SkeletonLoader loader(dataset, options);
  std::mt19937_64 engine(0);
  int mirrored_sided = 0;
  int mirrored_other = 0;
  for (std::int64_t clip = 0; clip < 40; ++clip) {
    const auto loaded = loader.sample(clip, 2);
    const auto label = dataset->labels[static_cast<std::size_t>(clip)];
    const auto plain =
        fix_length(clip_tensor(*dataset, static_cast<std::size_t>(clip)), 16, LengthMode::kCentreCrop, engine).joints;
    const bool mirrored = at::allclose(loaded.joints, mirror(plain, topology("hml22"), 0));
    ASSERT_TRUE(mirrored || at::allclose(loaded.joints, plain)) << clip;
    const bool sided = label == 0 || label == 2;
    EXPECT_EQ(loaded.label, mirrored && sided ? 2 - label : label) << clip;
    (sided ? mirrored_sided : mirrored_other) += mirrored ? 1 : 0;
  }
  EXPECT_GT(mirrored_sided, 0);
  EXPECT_GT(mirrored_other, 0);
  // A batch carries the same labels as sample() gives.
  loader.start_epoch(2);
  const auto batch = loader.next();
  ASSERT_TRUE(batch.has_value());
  for (std::size_t row = 0; row < batch->clips.size(); ++row) {
    EXPECT_EQ(batch->labels[static_cast<std::int64_t>(row)].item<std::int64_t>(),
              loader.sample(batch->clips[row], 2).label);
  }
  // No mirroring, no change of label.
  options.augment.mirror_probability = 0;
  options.augment.rotation_deg = 30;
  SkeletonLoader unmirrored(dataset, options);
  for (std::int64_t clip = 0; clip < 40; ++clip) {
    EXPECT_EQ(unmirrored.sample(clip, 2).label, dataset->labels[static_cast<std::size_t>(clip)]);
  }
}

}  // namespace
}  // namespace skelaug::data
