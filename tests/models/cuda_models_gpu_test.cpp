// The models on a GPU (ctest -L gpu): recognisers on CUDA equal to the CPU, the generator's loss on CUDA equal to the
// CPU's and its sampling, and a checkpoint written from GPU weights loaded on the CPU. Skipped, saying why, where
// LibTorch sees no CUDA device (every CPU machine, CI).
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include <unistd.h>

#include <filesystem>
#include <string>

#include "skelaug/data/topology.h"
#include "skelaug/models/checkpoint_weights.h"
#include "skelaug/models/generator.h"
#include "skelaug/models/generator_objective.h"
#include "skelaug/models/generator_sampling.h"
#include "skelaug/models/recognizer.h"
#include "small_generator.h"
#include "small_recognizer.h"

namespace skelaug::models {
namespace {

class OnCuda : public ::testing::Test {
 protected:
  // LibTorch lets cuDNN convolutions use TF32 (a 10-bit mantissa) by default, which is what training runs with. These
  // tests compare float32 arithmetic with the CPU's, so TF32 is off while they run: on the H200, CTR-GCN's logits
  // differed from the CPU's by 2.5e-4 with TF32 convolutions, past the 1e-4 + 1e-3 relative tolerance.
  void SetUp() override {
    if (!torch::cuda::is_available()) {
      GTEST_SKIP() << "no CUDA device visible to LibTorch: the GPU tests run on a GPU host";
    }
    at::globalContext().setAllowTF32CuDNN(false);
  }
  void TearDown() override { at::globalContext().setAllowTF32CuDNN(tf32_cudnn_); }

 private:
  const bool tf32_cudnn_ = at::globalContext().allowTF32CuDNN();
};

TEST_F(OnCuda, EveryRecognizerGivesTheCpuLogits) {
  for (const auto& architecture : recognizer_architectures()) {
    SCOPED_TRACE(architecture);
    const auto options = testing::small_recognizer_options(architecture);
    torch::manual_seed(3);
    const auto cpu = make_recognizer(options);
    torch::manual_seed(3);
    const auto gpu = make_recognizer(options);
    gpu->to(torch::kCUDA);
    cpu->eval();
    gpu->eval();
    torch::NoGradGuard no_grad;
    const auto joints = data::topology(options.topology).num_joints();
    const auto input = torch::randn({3, options.num_bodies, 16, joints, options.in_channels()});
    const auto mask = torch::ones({3, 16});
    const auto expected = cpu->forward(input, mask);
    const auto actual = gpu->forward(input.to(torch::kCUDA), mask.to(torch::kCUDA)).cpu();
    EXPECT_TRUE(torch::allclose(actual, expected, 1e-3, 1e-4)) << (actual - expected).abs().max().item<double>();
  }
}

GeneratorOptions small_generator() { return testing::small_generator_options(Conditioning::kLabel); }

TEST_F(OnCuda, TheGeneratorLossEqualsTheCpuAndSamplingGivesFiniteClips) {
  torch::manual_seed(2);
  Generator cpu(small_generator());
  torch::manual_seed(2);
  Generator gpu(small_generator());
  gpu->to(torch::kCUDA);
  cpu->eval();
  gpu->eval();
  const auto clips = torch::randn({4, 12, 66});
  const auto mask = torch::ones({4, 12});
  const auto labels = torch::tensor({0, 1, 2, 3}, torch::kLong);
  GeneratorLossWeights weights;
  const auto edges = data::topology("hml22").edges();
  const auto schedule = DiffusionSchedule::cosine(50);
  const auto expected = generator_loss(cpu, schedule, clips, mask, labels, {}, {}, weights, edges, {7, 8, 9, 10});
  const auto actual = generator_loss(gpu, schedule, clips.to(torch::kCUDA), mask.to(torch::kCUDA),
                                     labels.to(torch::kCUDA), {}, {}, weights, edges, {7, 8, 9, 10});
  EXPECT_NEAR(actual.total.item<double>(), expected.total.item<double>(), 1e-4 * expected.total.item<double>());

  GenerationOptions options;
  options.sampler.ddim_steps = 10;
  options.sampler.seed = 5;
  const auto generated = generate(gpu, schedule, labels.to(torch::kCUDA), {}, {}, 12, options);
  ASSERT_EQ(generated.sizes(), (std::vector<std::int64_t>{4, 12, 66}));
  EXPECT_TRUE(generated.is_cuda());
  EXPECT_TRUE(torch::isfinite(generated).all().item<bool>());
}

TEST_F(OnCuda, AGpuCheckpointLoadsOnTheCpu) {
  torch::manual_seed(4);
  Generator gpu(small_generator());
  gpu->to(torch::kCUDA);
  const auto file =
      std::filesystem::temp_directory_path() / ("skelaug_cuda_checkpoint_" + std::to_string(::getpid()) + ".pt");
  {
    torch::serialize::OutputArchive archive, weights;
    gpu->save(weights);
    archive.write(kModelWeights, weights);
    archive.save_to(file.string());
  }
  torch::manual_seed(9);
  Generator cpu(small_generator());
  load_checkpoint_weights(file, kModelWeights, *cpu);
  std::filesystem::remove(file);
  const auto loaded = cpu->named_parameters();
  for (const auto& saved : gpu->named_parameters()) {
    const auto& mine = loaded[saved.key()];
    EXPECT_TRUE(mine.device().is_cpu()) << saved.key();
    EXPECT_TRUE(torch::equal(mine, saved.value().cpu())) << saved.key();
  }
}

}  // namespace
}  // namespace skelaug::models
