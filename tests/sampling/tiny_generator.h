#pragma once

#include <gtest/gtest.h>
#include <torch/serialize.h>
#include <torch/torch.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "skelaug/data/dataset_io.h"
#include "skelaug/data/demo_dataset.h"
#include "skelaug/models/checkpoint_weights.h"
#include "skelaug/models/generator.h"
#include "skelaug/sampling/sampling_job.h"

namespace skelaug::testing {

// A demo dataset and an untrained, tiny exemplar-conditioned generator saved as a checkpoint in `directory`, with the
// sampling options that read them: what the sampling tests generate from. 14 classes x 3 clips of subjects 0, 1, 0
// (subject 0 is the train split, the generator's training clips; subject 1 the test split); clips of 12 frames,
// 20 diffusion steps, DDIM-4, 2 clips per class in batches of 5, seed 7, on the CPU.
struct TinyGenerator {
  data::SkeletonDataset dataset;
  sampling::SamplingJobOptions options;
};

inline TinyGenerator make_tiny_generator(const std::filesystem::path& directory) {
  TinyGenerator made;
  data::DemoOptions demo;
  demo.clips_per_class = 3;
  demo.subjects = 2;
  demo.min_frames = 20;
  demo.max_frames = 30;
  made.dataset = data::make_demo_dataset(demo);
  data::save_dataset(directory / "demo.npz", made.dataset);

  auto& options = made.options;
  options.data.train = (directory / "demo.npz").string();
  options.data.train_split = "train";
  options.data.loader.clip_length = 12;
  options.data.loader.workers = 0;
  auto& architecture = options.generator.architecture;
  architecture.clip_length = 12;
  architecture.width = 16;
  architecture.heads = 2;
  architecture.feedforward = 32;
  architecture.encoder_layers = 1;
  architecture.decoder_layers = 1;
  options.generator.diffusion_steps = 20;
  options.sample.generation.sampler.ddim_steps = 4;
  options.sample.batch_size = 5;
  options.sample.seed = 7;
  options.per_class = 2;
  options.device = "cpu";
  options.progress_interval_s = 1000;

  // A checkpoint holding only EMA weights, as a generator run's would hold them (and its model's).
  torch::manual_seed(1);
  models::Generator model(options.generator.for_dataset(made.dataset));
  torch::serialize::OutputArchive archive, weights;
  model->save(weights);
  archive.write(models::kEmaWeights, weights);
  options.checkpoint = directory / "checkpoint.pt";
  archive.save_to(options.checkpoint.string());
  return made;
}

// A fresh directory under the system's temporary one, named for the test and the process.
inline std::filesystem::path fresh_test_directory(const std::string& name) {
  const auto directory = std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(directory);
  std::filesystem::create_directories(directory);
  return directory;
}

// A test with its own directory holding the tiny generator: dataset_ and options_ as make_tiny_generator makes them.
class TinyGeneratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fresh_test_directory("skelaug_" + std::string(
                                          ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name()));
    auto made = make_tiny_generator(directory_);
    dataset_ = std::move(made.dataset);
    options_ = std::move(made.options);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  std::filesystem::path directory_;
  data::SkeletonDataset dataset_;
  sampling::SamplingJobOptions options_;
};

}  // namespace skelaug::testing
