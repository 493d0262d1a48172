// The sampling job as a library function, from a checkpoint written here: the clips it makes (count, labels,
// provenance, exemplars from the exemplar split only), their determinism, the weights it reads, the file it writes.
#include "skelaug/sampling/sampling_job.h"

#include <gtest/gtest.h>
#include <torch/serialize.h>
#include <torch/torch.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "skelaug/core/error.h"
#include "skelaug/data/dataset_io.h"
#include "skelaug/data/demo_dataset.h"
#include "skelaug/models/checkpoint_weights.h"
#include "skelaug/models/generator.h"

namespace skelaug::sampling {
namespace {

namespace fs = std::filesystem;

class SamplingJob : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() / ("skelaug_sampling_" + std::to_string(::getpid()));
    fs::create_directories(directory_);
    data::DemoOptions demo;
    demo.clips_per_class = 3;  // of subjects 0, 1, 0: subject 0 is the train split, subject 1 the test split
    demo.subjects = 2;
    demo.min_frames = 20;
    demo.max_frames = 30;
    dataset_ = data::make_demo_dataset(demo);
    data::save_dataset(directory_ / "demo.npz", dataset_);

    options_.data.train = (directory_ / "demo.npz").string();
    options_.data.loader.clip_length = 12;
    options_.data.loader.workers = 0;
    auto& architecture = options_.generator.architecture;
    architecture.clip_length = 12;
    architecture.width = 16;
    architecture.heads = 2;
    architecture.feedforward = 32;
    architecture.encoder_layers = 1;
    architecture.decoder_layers = 1;
    options_.generator.diffusion_steps = 20;
    options_.sample.generation.sampler.ddim_steps = 4;
    options_.sample.batch_size = 5;
    options_.sample.seed = 7;
    options_.per_class = 2;
    options_.device = "cpu";
    options_.progress_interval_s = 1000;

    // A checkpoint holding only EMA weights, as a generator run's would hold them (and its model's).
    torch::manual_seed(1);
    models::Generator model(options_.generator.for_dataset(dataset_));
    torch::serialize::OutputArchive archive, weights;
    model->save(weights);
    archive.write(models::kEmaWeights, weights);
    options_.checkpoint = directory_ / "checkpoint.pt";
    archive.save_to(options_.checkpoint.string());
  }
  void TearDown() override { fs::remove_all(directory_); }

  fs::path directory_;
  data::SkeletonDataset dataset_;
  SamplingJobOptions options_;
};

TEST_F(SamplingJob, MakesPerClassClipsFromExemplarsOfTheExemplarSplit) {
  const auto generated = generate_clips(options_);
  const auto classes = static_cast<std::int64_t>(dataset_.class_names.size());
  ASSERT_EQ(static_cast<std::int64_t>(generated.size()), 2 * classes);
  EXPECT_EQ(generated.topology, dataset_.topology);
  EXPECT_EQ(generated.fps, dataset_.fps);
  EXPECT_EQ(generated.class_names, dataset_.class_names);
  std::map<std::string, std::size_t> by_source;
  for (std::size_t i = 0; i < dataset_.size(); ++i) by_source[dataset_.info(i).source] = i;
  for (std::size_t i = 0; i < generated.size(); ++i) {
    const auto info = generated.info(i);
    EXPECT_EQ(generated.labels[i], static_cast<std::int64_t>(i / 2));
    EXPECT_EQ(generated.frames(i), 12);
    EXPECT_EQ(info.split, "train");
    const std::string prefix = "generated from ";
    ASSERT_EQ(info.source.rfind(prefix, 0), 0u) << info.source;
    const auto exemplar = by_source.at(info.source.substr(prefix.size()));
    EXPECT_EQ(dataset_.labels[exemplar], generated.labels[i]);
    EXPECT_EQ(dataset_.split[exemplar], "train");  // sample.exemplar_split's default
  }
}

TEST_F(SamplingJob, TheSameOptionsGiveTheSameClipsAndAnotherSeedOthers) {
  const auto first = generate_clips(options_);
  EXPECT_EQ(first.joints, generate_clips(options_).joints);
  options_.sample.seed = 8;
  EXPECT_NE(first.joints, generate_clips(options_).joints);
}

TEST_F(SamplingJob, ReadsTheNamedWeightsAndNamesTheCheckpointWhenTheyAreMissing) {
  options_.sample.weights = "model";
  try {
    generate_clips(options_);
    FAIL() << "expected a UserError";
  } catch (const core::UserError& error) {
    EXPECT_NE(std::string(error.what()).find("checkpoint.pt: the checkpoint holds no 'model' weights"),
              std::string::npos)
        << error.what();
  }
}

TEST_F(SamplingJob, WritesTheGeneratedSetAsADatasetFile) {
  const auto output = directory_ / "generated.npz";
  const auto generated = sample_to_file(options_, output);
  const auto read = data::load_dataset(output);
  EXPECT_EQ(read.joints, generated.joints);
  EXPECT_EQ(read.labels, generated.labels);
  EXPECT_EQ(read.source, generated.source);
}

}  // namespace
}  // namespace skelaug::sampling
