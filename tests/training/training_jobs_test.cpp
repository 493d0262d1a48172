// Runs under `mpirun -np N` (1 and 2). The training jobs as library functions, on a small demo dataset: the generator
// job keeps its moving average and its model in every checkpoint and picks exemplars; the recogniser job keeps the
// held-out reports and the best weights, and starts from another run's final weights (recognizer.init); HeldOutReports
// keeps the best of a run over a resume.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <tuple>
#include <nlohmann/json.hpp>

#include "mpi_test.h"
#include "skelaug/core/error.h"
#include "skelaug/data/dataset_io.h"
#include "skelaug/data/demo_dataset.h"
#include "skelaug/distributed/mpi_communicator.h"
#include "skelaug/distributed/mpi_environment.h"
#include "skelaug/models/checkpoint_weights.h"
#include "skelaug/models/recognizer_config.h"
#include "skelaug/training/checkpoint.h"
#include "skelaug/training/generator_training.h"
#include "skelaug/training/held_out_reports.h"
#include "skelaug/training/recognizer_training.h"

namespace skelaug::training {
namespace {

namespace fs = std::filesystem;
using skelaug::testing::mpi;

// A fresh directory shared by every rank of the test (rank 0 names and makes it, and removes it at the end).
class SharedDirectory {
 public:
  explicit SharedDirectory(const std::string& name)
      : path_(mpi().broadcast(
            (fs::temp_directory_path() / ("skelaug_jobs_" + std::to_string(::getpid()) + "_" + name)).string(), 0)) {
    if (mpi().rank() == 0) {
      fs::remove_all(path_);
      fs::create_directories(path_ / "logs");
    }
    mpi().barrier();
  }
  ~SharedDirectory() {
    mpi().barrier();
    if (mpi().rank() == 0) fs::remove_all(path_);
  }
  operator const fs::path&() const { return path_; }
  fs::path operator/(const std::string& part) const { return path_ / part; }

 private:
  fs::path path_;
};

// The demo dataset, small: 14 classes x 6 clips over 3 subjects (2 train, 1 test).
fs::path demo_file(const fs::path& directory) {
  const auto file = directory / "demo.npz";
  if (mpi().rank() == 0) {
    data::DemoOptions options;
    options.clips_per_class = 6;
    options.subjects = 3;
    options.min_frames = 20;
    options.max_frames = 30;
    data::save_dataset(file, data::make_demo_dataset(options));
  }
  mpi().barrier();
  return file;
}

data::DataOptions data_options(const fs::path& file) {
  data::DataOptions options;
  options.train = file.string();
  options.train_split = "train";
  options.test_split = "test";
  options.loader.clip_length = 16;
  options.loader.workers = 0;
  return options;
}

TrainOptions train_options(std::int64_t max_steps) {
  TrainOptions options;
  options.trainer.epochs = 2;
  options.trainer.max_steps = max_steps;
  options.trainer.progress_interval_s = 1000;
  options.trainer.seed = 3;
  options.batch_size = 4;
  options.learning_rate.base = 1e-3;
  return options;
}

// A job's world on the MPI backend, with the metrics file on rank 0.
struct TestWorld {
  explicit TestWorld(const fs::path& root) : communicator(mpi(), 60.0), run(root) {
    if (mpi().rank() == 0) metrics = std::make_unique<core::MetricsWriter>(run.metrics_file());
  }
  TrainingWorld world() { return {communicator, torch::kCPU, run, metrics.get()}; }

  distributed::MpiCommunicator communicator;
  core::RunDirectory run;
  std::unique_ptr<core::MetricsWriter> metrics;
};

std::vector<nlohmann::json> records(const fs::path& metrics_file, const std::string& event) {
  std::vector<nlohmann::json> found;
  std::ifstream in(metrics_file);
  for (std::string line; std::getline(in, line);) {
    const auto record = nlohmann::json::parse(line);
    if (record.value("event", "") == event) found.push_back(record);
  }
  return found;
}

GeneratorTrainingOptions small_generator(const fs::path& dataset, models::TrainingExemplar exemplar) {
  GeneratorTrainingOptions options{data_options(dataset), train_options(3), {}};
  auto& architecture = options.generator.architecture;
  architecture.clip_length = 16;
  architecture.width = 32;
  architecture.heads = 2;
  architecture.feedforward = 64;
  architecture.encoder_layers = 1;
  architecture.decoder_layers = 1;
  options.generator.diffusion_steps = 50;
  options.generator.exemplar = exemplar;
  return options;
}

TEST(GeneratorTraining, CheckpointHoldsTheModelAndItsMovingAverage) {
  const SharedDirectory root("generator");
  auto options = small_generator(demo_file(root), models::TrainingExemplar::kSame);
  options.generator.ema_decay = 0.0;  // the average is then the model itself after every step
  TestWorld test(root);
  ASSERT_EQ(train_generator(options, test.world()), core::kSuccess);

  const auto checkpoint = CheckpointStore(root / "checkpoints", 3).latest();
  ASSERT_TRUE(checkpoint.has_value());
  EXPECT_EQ(checkpoint->filename(), "checkpoint-000000003.pt");
  const auto dataset = data::load_dataset(options.data.train);
  models::Generator model(options.generator.for_dataset(dataset));
  models::Generator average(options.generator.for_dataset(dataset));
  models::load_checkpoint_weights(*checkpoint, models::kModelWeights, *model);
  models::load_checkpoint_weights(*checkpoint, models::kEmaWeights, *average);
  const auto trained = model->parameters();
  const auto averaged = average->parameters();
  for (std::size_t i = 0; i < trained.size(); ++i) EXPECT_TRUE(torch::equal(trained[i], averaged[i])) << i;
  // The feature statistics of the training clips travel with the weights.
  EXPECT_GT(model->feature_std.min().item<double>(), 0.0);
  EXPECT_TRUE(torch::equal(model->feature_std, average->feature_std));

  if (mpi().rank() == 0) {
    const auto steps = records(root / "metrics.jsonl", "train_step");
    ASSERT_EQ(steps.size(), 3u);
    for (const auto& step : steps) EXPECT_TRUE(std::isfinite(step["loss"].get<double>()));
  }
}

TEST(GeneratorTraining, AMovingAverageLagsTheModel) {
  const SharedDirectory root("generator_lag");
  auto options = small_generator(demo_file(root), models::TrainingExemplar::kOther);  // other-clip exemplars too
  options.generator.ema_decay = 0.9;
  TestWorld test(root);
  ASSERT_EQ(train_generator(options, test.world()), core::kSuccess);
  const auto checkpoint = *CheckpointStore(root / "checkpoints", 3).latest();
  const auto dataset = data::load_dataset(options.data.train);
  models::Generator model(options.generator.for_dataset(dataset));
  models::Generator average(options.generator.for_dataset(dataset));
  models::load_checkpoint_weights(checkpoint, models::kModelWeights, *model);
  models::load_checkpoint_weights(checkpoint, models::kEmaWeights, *average);
  double moved = 0;
  for (std::size_t i = 0; i < model->parameters().size(); ++i) {
    moved += (model->parameters()[i] - average->parameters()[i]).abs().sum().item<double>();
  }
  EXPECT_GT(moved, 0.0);
}

TEST(RecognizerTraining, WritesHeldOutReportsAndTheBestWeights) {
  const SharedDirectory root("recognizer");
  RecognizerTrainingOptions options{data_options(demo_file(root)), train_options(5), {}};
  options.recognizer.architecture.architecture = "stgcn_pp";
  options.recognizer.architecture.base_channels = 8;
  options.recognizer.architecture.stages = 2;
  TestWorld test(root);
  ASSERT_EQ(train_recognizer(options, test.world()), core::kSuccess);

  if (mpi().rank() == 0) {
    // 56 training clips in batches of 4: 14 steps per epoch, so max_steps 5 ends mid-epoch and is evaluated there.
    const auto evaluations = records(root / "metrics.jsonl", "evaluation");
    ASSERT_EQ(evaluations.size(), 1u);
    EXPECT_EQ(evaluations[0]["step"], 5);
    std::ifstream last_in(root / "evaluation" / "last.json");
    const auto last = nlohmann::json::parse(last_in);
    EXPECT_EQ(last["step"], 5);
    EXPECT_EQ(last["samples"], 28);  // every held-out clip once: 14 classes x 2 clips of the test subject
    EXPECT_EQ(last["architecture"], "stgcn_pp");
    EXPECT_TRUE(fs::exists(root / "evaluation" / "best.json"));
    EXPECT_TRUE(fs::exists(root / "best" / "checkpoint-000000005.pt"));
    const auto training_set = records(root / "metrics.jsonl", "training_set");
    ASSERT_EQ(training_set.size(), 1u);
    EXPECT_EQ(training_set[0]["real_clips"], 56);
    EXPECT_EQ(training_set[0]["test_clips"], 28);
  }
}

RecognizerTrainingOptions small_recognizer(const fs::path& dataset, std::int64_t max_steps) {
  RecognizerTrainingOptions options{data_options(dataset), train_options(max_steps), {}};
  options.recognizer.architecture.architecture = "stgcn_pp";
  options.recognizer.architecture.base_channels = 8;
  options.recognizer.architecture.stages = 2;
  return options;
}

double largest_difference(torch::nn::Module& a, torch::nn::Module& b) {
  const auto left = a.named_parameters();
  const auto right = b.named_parameters();
  double largest = 0;
  for (const auto& item : left) largest = std::max(largest, (item.value() - right[item.key()]).abs().max().item<double>());
  return largest;
}

TEST(RecognizerTraining, StartsFromAnotherRunsFinalWeights) {
  const SharedDirectory pretrained_root("pretrained");
  const fs::path pretrained = pretrained_root;
  const auto dataset = demo_file(pretrained);
  {
    TestWorld test(pretrained);
    ASSERT_EQ(train_recognizer(small_recognizer(dataset, 3), test.world()), core::kSuccess);
  }
  // The final weights (step 3), not the best ones: those are chosen on the held-out clips.
  const auto final_weights = pretrained / "checkpoints" / "checkpoint-000000003.pt";
  auto options = small_recognizer(dataset, 2);
  const auto architecture = options.recognizer.for_dataset(data::load_dataset(dataset));
  const auto started = models::make_configured_recognizer(architecture);
  const auto saved = models::make_configured_recognizer(architecture);
  models::load_checkpoint_weights(final_weights, models::kModelWeights, *saved);
  EXPECT_GT(largest_difference(*started, *saved), 0.0);
  EXPECT_EQ(load_initial_weights(*started, pretrained), final_weights);
  EXPECT_EQ(largest_difference(*started, *saved), 0.0);

  // A run with recognizer.init records where its weights came from.
  const SharedDirectory root("initialised");
  options.recognizer.init = pretrained.string();
  {
    TestWorld test(root);
    ASSERT_EQ(train_recognizer(options, test.world()), core::kSuccess);
  }
  if (mpi().rank() == 0) {
    const auto initial = records(root / "metrics.jsonl", "initial_weights");
    ASSERT_EQ(initial.size(), 1u);
    EXPECT_EQ(initial[0]["checkpoint"], final_weights.string());
  }
  // Started again, it continues from its own checkpoint and reads no initial run: not even one that is gone.
  options.recognizer.init = (root / "gone").string();
  {
    TestWorld test(root);
    ASSERT_EQ(train_recognizer(options, test.world()), core::kSuccess);
  }
  if (mpi().rank() == 0) EXPECT_EQ(records(root / "metrics.jsonl", "initial_weights").size(), 1u);

  // Another network, or a run without checkpoints, is refused naming the key.
  auto wider = architecture;
  wider.base_channels = 16;
  const auto other = models::make_configured_recognizer(wider);
  const std::vector<std::tuple<torch::nn::Module*, fs::path, std::string>> refused{
      {other.get(), pretrained, "do not fit this network"}, {started.get(), root / "nowhere", "holds no checkpoint"}};
  for (const auto& [model, run, reason] : refused) {
    try {
      load_initial_weights(*model, run);
      ADD_FAILURE() << "no error for " << run;
    } catch (const core::UserError& error) {
      const std::string message = error.what();
      EXPECT_EQ(message.rfind("recognizer.init: ", 0), 0u) << message;
      EXPECT_NE(message.find(reason), std::string::npos) << message;
    }
  }
}

TEST(HeldOutReports, KeepTheBestOfTheRunOverAResume) {
  const SharedDirectory root("reports");
  TestWorld test(root);
  const auto world = test.world();
  torch::nn::Linear model(2, 2);
  const auto confusion = [](std::int64_t correct) {  // 4 clips of 2 classes, `correct` of them right
    evaluation::ConfusionMatrix matrix(2);
    const auto labels = torch::tensor({0, 0, 1, 1}, torch::kLong);
    auto logits = torch::zeros({4, 2});
    for (std::int64_t i = 0; i < 4; ++i) {
      const auto label = labels[i].item<std::int64_t>();
      logits[i][i < correct ? label : 1 - label] = 1.0;
    }
    matrix.add(logits, labels);
    return matrix;
  };
  {
    HeldOutReports reports(world, {"a", "b"}, "linear");
    EXPECT_EQ(reports.add(confusion(2), {1, 0, 10}, *model), mpi().rank() == 0);
    EXPECT_EQ(reports.add(confusion(3), {2, 0, 20}, *model), mpi().rank() == 0);
    EXPECT_FALSE(reports.add(confusion(1), {3, 0, 30}, *model));
  }
  HeldOutReports resumed(world, {"a", "b"}, "linear");  // reads best.json back
  EXPECT_FALSE(resumed.add(confusion(3), {4, 0, 40}, *model));  // equal to the best is not better
  if (mpi().rank() == 0) {
    EXPECT_EQ(resumed.best_top1(), 0.75);
    std::ifstream best_in(root / "evaluation" / "best.json");
    EXPECT_EQ(nlohmann::json::parse(best_in)["step"], 20);
    std::ifstream last_in(root / "evaluation" / "last.json");
    EXPECT_EQ(nlohmann::json::parse(last_in)["step"], 40);
    EXPECT_TRUE(fs::exists(root / "best" / "checkpoint-000000020.pt"));
    EXPECT_FALSE(fs::exists(root / "best" / "checkpoint-000000010.pt"));  // one best checkpoint kept
  }
}

}  // namespace
}  // namespace skelaug::training
