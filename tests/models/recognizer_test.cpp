#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "skelaug/data/topology.h"
#include "skelaug/models/batch_norm.h"
#include "skelaug/models/input_streams.h"
#include "skelaug/models/recognizer.h"
#include "skelaug/models/skeleton_graph.h"

namespace skelaug::models {
namespace {

const std::vector<InputStream> kAllStreams = {InputStream::kJoint, InputStream::kBone, InputStream::kJointMotion,
                                              InputStream::kBoneMotion};

// --- graphs --------------------------------------------------------------------------------------------------------

TEST(SkeletonGraph, AdjacencyIsTheSymmetricBoneGraphWithoutSelfLoops) {
  for (const auto& name : data::topology_names()) {
    SCOPED_TRACE(name);
    const auto& topology = data::topology(name);
    const auto a = adjacency(topology);
    const auto v = topology.num_joints();
    ASSERT_EQ(a.sizes(), (std::vector<std::int64_t>{v, v}));
    EXPECT_TRUE(torch::equal(a, a.t()));
    EXPECT_EQ(a.diagonal().sum().item<float>(), 0.0F);
    EXPECT_EQ(a.sum().item<float>(), 2.0F * static_cast<float>(topology.edges().size()));
    for (const auto& [child, parent] : topology.edges()) EXPECT_EQ(a[child][parent].item<float>(), 1.0F);
  }
}

TEST(SkeletonGraph, HopDistancesOnHml22) {
  const auto& topology = data::topology("hml22");
  const auto hops = hop_distance(topology);
  const auto hop = [&](const char* a, const char* b) {
    return hops[topology.index_of(a)][topology.index_of(b)].item<std::int64_t>();
  };
  EXPECT_EQ(hop("pelvis", "pelvis"), 0);
  EXPECT_EQ(hop("pelvis", "left_hip"), 1);
  EXPECT_EQ(hop("pelvis", "left_knee"), 2);
  EXPECT_EQ(hop("pelvis", "head"), 5);                 // pelvis-spine1-spine2-spine3-neck-head
  EXPECT_EQ(hop("left_foot", "right_foot"), 8);        // down one leg and up the other through the pelvis
  EXPECT_EQ(hop("left_wrist", "right_wrist"), 8);      // wrist-elbow-shoulder-collar-spine3 and back out
  EXPECT_EQ(hop("left_wrist", "right_wrist"), hop("right_wrist", "left_wrist"));
  EXPECT_TRUE(torch::equal(hops, hops.t()));
  EXPECT_LT(hops.max().item<std::int64_t>(), topology.num_joints());  // a tree: everything reachable
}

TEST(SkeletonGraph, SpatialPartitionSplitsSelfParentChildrenAndColumnsSumToOne) {
  for (const auto& name : data::topology_names()) {
    SCOPED_TRACE(name);
    const auto& topology = data::topology(name);
    const auto partition = spatial_partition(topology);
    const auto v = topology.num_joints();
    ASSERT_EQ(partition.sizes(), (std::vector<std::int64_t>{3, v, v}));
    // Every joint gathers (column) self + neighbours with weights that sum to 1.
    EXPECT_TRUE(torch::allclose(partition.sum(0).sum(0), torch::ones({v})));
    // Subset 0 is diagonal; subsets 1 and 2 together are the bone graph, 1 the transpose of 2.
    EXPECT_TRUE(torch::equal(partition[0].ne(0), torch::eye(v).ne(0)));
    EXPECT_TRUE(torch::equal((partition[1] + partition[2]).ne(0), adjacency(topology).ne(0)));
    EXPECT_TRUE(torch::equal(partition[1].ne(0), partition[2].t().ne(0)));
    for (const auto& [child, parent] : topology.edges()) {
      EXPECT_GT(partition[1][parent][child].item<float>(), 0.0F);  // centripetal: a joint gathers from its parent
      EXPECT_GT(partition[2][child][parent].item<float>(), 0.0F);  // centrifugal: from its children
    }
  }
}

TEST(SkeletonGraph, MultiscaleAdjacencyAndSymmetricNormalisation) {
  const auto& topology = data::topology("ntu25");
  const auto scales = multiscale_adjacency(topology, 4);
  ASSERT_EQ(scales.sizes(), (std::vector<std::int64_t>{4, 25, 25}));
  EXPECT_TRUE(torch::equal(scales[0], torch::eye(25)));
  const auto hops = hop_distance(topology);
  for (int k = 1; k < 4; ++k) {
    EXPECT_TRUE(torch::equal(scales[k].ne(0), hops.eq(k).logical_or(hops.eq(0))));
    EXPECT_TRUE(torch::allclose(scales[k], scales[k].t()));
  }
  // A path 0-1-2 plus an isolated joint: degrees 1, 2, 1, 0.
  const auto path = torch::tensor({0.F, 1.F, 0.F, 0.F, 1.F, 0.F, 1.F, 0.F, 0.F, 1.F, 0.F, 0.F, 0.F, 0.F, 0.F, 0.F})
                        .view({4, 4});
  const auto normalised = normalize_symmetric(path);
  EXPECT_NEAR(normalised[0][1].item<float>(), 1.0 / std::sqrt(2.0), 1e-6);
  EXPECT_NEAR(normalised[2][1].item<float>(), 1.0 / std::sqrt(2.0), 1e-6);
  EXPECT_EQ(normalised[3].abs().sum().item<float>(), 0.0F);
  EXPECT_FALSE(normalised.isnan().any().item<bool>());
}

// --- input streams -------------------------------------------------------------------------------------------------

TEST(InputStreams, BoneIsChildMinusParentAndRootIsZero) {
  const auto& topology = data::topology("vibe18");
  torch::manual_seed(1);
  const auto joints = torch::randn({1, 1, 4, topology.num_joints(), 3});
  const auto mask = torch::ones({1, 4});
  const auto bone = input_streams(joints, mask, topology, {InputStream::kBone});
  ASSERT_EQ(bone.sizes(), joints.sizes());
  for (int j = 0; j < topology.num_joints(); ++j) {
    const auto parent = topology.parents[static_cast<std::size_t>(j)];
    const auto expected = parent < 0 ? torch::zeros({1, 1, 4, 3})
                                     : joints.select(3, j) - joints.select(3, parent);
    EXPECT_TRUE(torch::allclose(bone.select(3, j), expected)) << "joint " << j;
  }
}

TEST(InputStreams, MotionIsNextMinusCurrentAndZeroAtAndBeyondTheLastRealFrame) {
  const auto& topology = data::topology("hml22");
  torch::manual_seed(2);
  auto joints = torch::randn({2, 2, 6, 22, 3});
  const auto mask = torch::tensor({1.F, 1.F, 1.F, 1.F, 0.F, 0.F, 1.F, 1.F, 1.F, 1.F, 1.F, 1.F}).view({2, 6});
  const auto motion = input_streams(joints, mask, topology, {InputStream::kJointMotion});
  // Clip 0: 4 real frames.
  const auto clip = joints[0];
  for (int t = 0; t < 3; ++t) {
    EXPECT_TRUE(torch::allclose(motion[0].select(1, t), clip.select(1, t + 1) - clip.select(1, t)));
  }
  for (int t = 3; t < 6; ++t) EXPECT_EQ(motion[0].select(1, t).abs().sum().item<float>(), 0.0F) << t;
  // Clip 1: all real; only the last frame is zero.
  EXPECT_GT(motion[1].select(1, 4).abs().sum().item<float>(), 0.0F);
  EXPECT_EQ(motion[1].select(1, 5).abs().sum().item<float>(), 0.0F);
  // Padded frames are zero in every stream, whatever the padding holds.
  const auto all = input_streams(joints, mask, topology, kAllStreams);
  EXPECT_EQ(all[0].slice(1, 4, 6).abs().sum().item<float>(), 0.0F);
}

TEST(InputStreams, StreamsAreConcatenatedInTheOrderAsked) {
  const auto& topology = data::topology("ntu25");
  torch::manual_seed(3);
  const auto joints = torch::randn({2, 1, 5, 25, 3});
  const auto mask = torch::ones({2, 5});
  const auto all = input_streams(joints, mask, topology, kAllStreams);
  ASSERT_EQ(all.size(-1), 12);
  for (std::size_t i = 0; i < kAllStreams.size(); ++i) {
    const auto single = input_streams(joints, mask, topology, {kAllStreams[i]});
    EXPECT_TRUE(torch::equal(all.narrow(-1, static_cast<std::int64_t>(3 * i), 3), single))
        << input_stream_name(kAllStreams[i]);
  }
  const auto reversed = input_streams(joints, mask, topology, {InputStream::kBoneMotion, InputStream::kJoint});
  EXPECT_TRUE(torch::equal(reversed.narrow(-1, 3, 3), joints));
  for (const auto stream : kAllStreams) EXPECT_EQ(parse_input_stream(input_stream_name(stream)), stream);
  EXPECT_THROW(parse_input_stream("velocity"), std::invalid_argument);
}

// --- recognisers ---------------------------------------------------------------------------------------------------

// Small enough that every architecture runs a forward pass in milliseconds; deep enough that the GCNs' strided stages
// (and MS-G3D's / BlockGCN's own stage plans) are exercised.
RecognizerOptions small_options(const std::string& architecture, const std::string& topology,
                                std::vector<InputStream> streams, std::int64_t bodies) {
  RecognizerOptions options;
  options.architecture = architecture;
  options.topology = topology;
  options.num_classes = 5;
  options.num_bodies = bodies;
  options.streams = std::move(streams);
  options.base_channels = 16;  // BlockGCN needs a multiple of its 8 channel groups
  options.stages = 4;
  options.dropout = 0.0;
  return options;
}

TEST(Recognizers, ListsTheFiveArchitecturesAndRejectsOthers) {
  const auto names = recognizer_architectures();
  const std::set<std::string> expected{"stgcn_pp", "ctrgcn", "msg3d", "blockgcn", "a2m_gru"};
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()), expected);
  auto options = small_options("resnet", "hml22", {InputStream::kJoint}, 1);
  EXPECT_THROW(make_recognizer(options), std::invalid_argument);
}

TEST(Recognizers, ForwardShapesForEveryArchitectureTopologyStreamSetAndBodyCount) {
  std::vector<std::vector<InputStream>> stream_sets;
  for (const auto stream : kAllStreams) stream_sets.push_back({stream});
  stream_sets.push_back(kAllStreams);
  torch::manual_seed(4);
  const std::int64_t clips = 2, frames = 10;
  for (const auto& architecture : recognizer_architectures()) {
    for (const auto& topology_name : data::topology_names()) {
      for (const auto& streams : stream_sets) {
        for (const std::int64_t bodies : {1, 2}) {
          const auto options = small_options(architecture, topology_name, streams, bodies);
          SCOPED_TRACE(architecture + " " + topology_name + " " + std::to_string(streams.size()) + " stream(s) M=" +
                       std::to_string(bodies));
          // One failing architecture must not hide the others: report and go on.
          try {
            const auto model = make_recognizer(options);
            model->train();
            const auto v = data::topology(topology_name).num_joints();
            const auto input = torch::randn({clips, bodies, frames, v, options.in_channels()});
            auto mask = torch::ones({clips, frames});
            mask[1].slice(0, 7, frames).zero_();
            const auto logits = model->forward(input, mask);
            EXPECT_EQ(logits.sizes(), (std::vector<std::int64_t>{clips, options.num_classes}));
            EXPECT_TRUE(logits.isfinite().all().item<bool>());
            const auto embedding = model->embed(input, mask);
            EXPECT_EQ(embedding.dim(), 2);
            EXPECT_EQ(embedding.size(0), clips);
            if (architecture == "a2m_gru") {
              EXPECT_EQ(embedding.size(1), 30);
            }
            // The wrong number of bodies is rejected, not silently misread.
            const auto wrong = torch::randn({clips, bodies + 1, frames, v, options.in_channels()});
            EXPECT_THROW(model->forward(wrong, mask), std::invalid_argument);
          } catch (const std::exception& error) {
            ADD_FAILURE() << "threw: " << error.what();
          }
        }
      }
    }
  }
}

TEST(Recognizers, PaddedFramesDoNotChangeTheOutputInEvalMode) {
  for (const auto& architecture : recognizer_architectures()) {
    SCOPED_TRACE(architecture);
    try {
      torch::manual_seed(5);
      const auto options = small_options(architecture, "hml22", kAllStreams, 2);
      const auto model = make_recognizer(options);
      // A few training-mode passes so batch-norm running statistics are not the identity.
      for (int i = 0; i < 3; ++i) model->forward(torch::randn({4, 2, 16, 22, 12}), torch::ones({4, 16}));
      model->eval();
      torch::NoGradGuard no_grad;
      // Two clips of 9 and 13 real frames, padded to 14 and to 20 frames with different garbage.
      const auto real = torch::randn({2, 2, 13, 22, 12});
      const auto padded = [&](std::int64_t frames) {
        auto input = torch::randn({2, 2, frames, 22, 12}) * 5.0;
        input.slice(2, 0, 13).copy_(real);
        auto mask = torch::zeros({2, frames});
        mask[0].slice(0, 0, 9).fill_(1.0);
        mask[1].slice(0, 0, 13).fill_(1.0);
        return std::make_pair(input, mask);
      };
      const auto [short_input, short_mask] = padded(14);
      const auto [long_input, long_mask] = padded(20);
      const auto a = model->forward(short_input, short_mask);
      const auto b = model->forward(long_input, long_mask);
      EXPECT_TRUE(torch::allclose(a, b, 1e-4, 1e-5)) << (a - b).abs().max().item<float>();
      const auto ea = model->embed(short_input, short_mask);
      const auto eb = model->embed(long_input, long_mask);
      EXPECT_TRUE(torch::allclose(ea, eb, 1e-4, 1e-5)) << (ea - eb).abs().max().item<float>();
    } catch (const std::exception& error) {
      ADD_FAILURE() << "threw: " << error.what();
    }
  }
}

TEST(Recognizers, PublishedSizesHaveThePublishedParameterCounts) {
  // NTU RGB+D 60, joint stream, 2 bodies, the default sizes. Published: ST-GCN++ 1.39M (PYSKL), CTR-GCN 1.46M (its
  // paper); A2M's classifier is exact: GRU(150 -> 128, 2 layers) + Linear(128, 30) + Linear(30, 60).
  const auto count = [](const std::string& architecture, std::int64_t width) {
    RecognizerOptions options;
    options.architecture = architecture;
    options.topology = "ntu25";
    options.num_classes = 60;
    options.num_bodies = 2;
    options.base_channels = width;
    std::int64_t total = 0;
    for (const auto& parameter : make_recognizer(options)->parameters()) total += parameter.numel();
    return total;
  };
  EXPECT_NEAR(static_cast<double>(count("stgcn_pp", 64)), 1.39e6, 0.03e6);
  EXPECT_NEAR(static_cast<double>(count("ctrgcn", 64)), 1.46e6, 0.03e6);
  const std::int64_t gru = 3 * (128 * (150 + 128) + 2 * 128) + 3 * (128 * (128 + 128) + 2 * 128);
  EXPECT_EQ(count("a2m_gru", 128), gru + (128 * 30 + 30) + (30 * 60 + 60));
}

// Four classes of clearly different motion on hml22: standing still, waving the right wrist up and down, swaying the
// head sideways, swinging the left foot; each clip with its own phase, amplitude, length and noise. (Each class moves
// one joint: a whole-body motion would dominate the other classes' signal and saturate the A2M GRU's tanh layer.)
struct ToySet {
  torch::Tensor input, mask, labels;
};

ToySet toy_motions(std::int64_t per_class, std::int64_t frames) {
  const auto& topology = data::topology("hml22");
  const auto v = topology.num_joints();
  const std::int64_t classes = 4;
  const auto rest = torch::randn({v, 3}) * 0.3;
  auto input = torch::zeros({classes * per_class, 1, frames, v, 3});
  auto mask = torch::zeros({classes * per_class, frames});
  auto labels = torch::zeros({classes * per_class}, torch::kLong);
  const auto time = torch::arange(frames, torch::kFloat);
  for (std::int64_t label = 0; label < classes; ++label) {
    for (std::int64_t i = 0; i < per_class; ++i) {
      const auto clip = label * per_class + i;
      const auto phase = torch::rand({1}).item<float>() * 6.28F;
      const auto amplitude = 0.5F + 0.5F * torch::rand({1}).item<float>();
      const auto wave = amplitude * torch::sin(time * 0.8 + phase);  // [T]
      auto poses = rest.unsqueeze(0).repeat({frames, 1, 1}) + 0.02 * torch::randn({frames, v, 3});
      if (label == 1) poses.select(1, topology.index_of("right_wrist")).select(1, 1) += wave;
      if (label == 2) poses.select(1, topology.index_of("head")).select(1, 0) += wave;
      if (label == 3) poses.select(1, topology.index_of("left_foot")).select(1, 2) += wave;
      input[clip][0].copy_(poses);
      const auto length = frames - (i % 3);
      mask[clip].slice(0, 0, length).fill_(1.0);
      labels[clip] = label;
    }
  }
  return {input, mask, labels};
}

// Batch-norm running statistics lag behind weights that a few large optimiser steps have just moved; this replaces
// them with the exact statistics of `input` (cumulative averaging over one pass), so eval mode can be judged.
void recompute_batch_norm_statistics(RecognizerImpl& model, const torch::Tensor& input, const torch::Tensor& mask) {
  prepare_precise_batch_norm(model);  // none in a2m_gru
  torch::NoGradGuard no_grad;
  model.train();
  model.forward(input, mask);
}

TEST(Recognizers, EachArchitectureFitsASmallSeparableSet) {
  // Tiny sizes (3 stages with one strided stage, base width 8; a GRU of 32) so all three train in a few seconds.
  struct Run {
    std::string architecture;
    std::int64_t width;
    int steps;
  };
  for (const auto& run : {Run{"stgcn_pp", 8, 40}, Run{"ctrgcn", 8, 40}, Run{"a2m_gru", 32, 100}}) {
    SCOPED_TRACE(run.architecture);
    torch::manual_seed(6);
    const auto toy = toy_motions(6, 12);
    auto options = small_options(run.architecture, "hml22", {InputStream::kJoint}, 1);
    options.num_classes = 4;
    options.base_channels = run.width;
    options.stages = 3;
    const auto model = make_recognizer(options);
    torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-2));
    const auto start = std::chrono::steady_clock::now();
    model->train();
    for (int step = 0; step < run.steps; ++step) {
      optimizer.zero_grad();
      const auto loss = torch::nn::functional::cross_entropy(model->forward(toy.input, toy.mask), toy.labels);
      loss.backward();
      optimizer.step();
    }
    recompute_batch_norm_statistics(*model, toy.input, toy.mask);
    model->eval();
    torch::NoGradGuard no_grad;
    const auto accuracy =
        model->forward(toy.input, toy.mask).argmax(1).eq(toy.labels).to(torch::kFloat).mean().item<float>();
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << run.architecture << ": training accuracy " << accuracy << " (eval mode) after " << run.steps
              << " steps, " << seconds << " s\n";
    EXPECT_GE(accuracy, 0.75F);  // chance is 0.25
  }
}

}  // namespace
}  // namespace skelaug::models
