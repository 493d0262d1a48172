// Runs under `mpirun -np N`. The trainer on the MPI backend: resume equals an uninterrupted run, a stop signal on one
// rank stops every rank at the same step with a checkpoint, and the timeline records overlapping communication.
#include <gtest/gtest.h>

#include "mpi_test.h"
#include <torch/torch.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <random>

#include "skelaug/core/error.h"
#include "skelaug/distributed/mpi_communicator.h"
#include "skelaug/distributed/mpi_environment.h"
#include "skelaug/training/trainer.h"

namespace skelaug::training {
namespace {

namespace fs = std::filesystem;
using skelaug::testing::mpi;

// A small classifier with dropout, so that a resumed run only matches if the random streams are restored too.
struct ClassifierImpl : torch::nn::Module {
  ClassifierImpl() {
    hidden = register_module("hidden", torch::nn::Linear(22 * 3 * 8, 64));
    dropout = register_module("dropout", torch::nn::Dropout(0.2));
    output = register_module("output", torch::nn::Linear(64, 4));
  }
  torch::Tensor forward(const torch::Tensor& joints) {
    return output(dropout(torch::relu(hidden(joints.flatten(1)))));
  }
  torch::nn::Linear hidden{nullptr}, output{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(Classifier);

std::shared_ptr<data::SkeletonDataset> dataset() {
  auto d = std::make_shared<data::SkeletonDataset>();
  d->topology = "hml22";
  d->fps = 20;
  d->class_names = {"a", "b", "c", "d"};
  std::mt19937 engine(5);
  std::normal_distribution<float> normal;
  for (int c = 0; c < 64; ++c) {
    std::vector<float> values(10 * 22 * 3);
    for (auto& v : values) v = normal(engine) + static_cast<float>(c % 4);
    d->add_clip(values.data(), 10, c % 4, {});
  }
  return d;
}

// The run directory shared by all ranks of a test (rank 0 names it).
fs::path shared_directory(const std::string& name) {
  const auto root = mpi().broadcast(
      (fs::temp_directory_path() / ("skelaug_trainer_" + std::to_string(::getpid()) + "_" + name)).string(), 0);
  if (mpi().rank() == 0) {
    fs::remove_all(root);
    fs::create_directories(fs::path(root) / "logs");
  }
  mpi().barrier();
  return root;
}

struct RunResult {
  int exit_code;
  std::vector<torch::Tensor> parameters;
  TrainingState state;
};

RunResult train(const fs::path& root, std::int64_t max_steps, std::int64_t stop_on_rank1_at = -1,
                bool timeline = false) {
  distributed::MpiCommunicator communicator(mpi(), 60.0);
  torch::manual_seed(static_cast<std::uint64_t>(mpi().rank()));  // different per rank: the broadcast must fix it
  Classifier model;
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-2));
  data::LoaderOptions loader_options;
  loader_options.batch_size = 16 / mpi().size();
  loader_options.clip_length = 8;
  loader_options.augment.jitter_std = 0.01;
  loader_options.seed = 3;
  loader_options.rank = mpi().rank();
  loader_options.world_size = mpi().size();
  data::SkeletonLoader loader(dataset(), loader_options);
  TrainerOptions options;
  options.epochs = max_steps > 1000 ? 1000000 : 3;
  options.max_steps = max_steps;
  options.seed = 9;
  options.timeline = timeline;
  options.reducer = {4096, 1024};
  options.progress_interval_s = 1000;
  core::RunDirectory run(root);
  std::unique_ptr<core::MetricsWriter> metrics;
  if (mpi().rank() == 0) metrics = std::make_unique<core::MetricsWriter>(run.metrics_file());
  Trainer trainer(*model, optimizer, communicator, run, metrics.get(), options);
  trainer.after_step = [&](const TrainingState& state) {
    if (state.global_step == stop_on_rank1_at && mpi().rank() == 1) std::raise(SIGUSR1);
  };
  const int code = trainer.fit(loader, [&](const data::Batch& batch) {
    model->train();
    return torch::nn::functional::cross_entropy(model->forward(batch.joints), batch.labels);
  });
  std::vector<torch::Tensor> parameters;
  for (const auto& p : model->parameters()) parameters.push_back(p.detach().clone());
  return {code, parameters, trainer.state()};
}

void expect_equal(const RunResult& a, const RunResult& b) {
  ASSERT_EQ(a.parameters.size(), b.parameters.size());
  for (std::size_t i = 0; i < a.parameters.size(); ++i) {
    EXPECT_TRUE(torch::equal(a.parameters[i], b.parameters[i])) << "parameter " << i;
  }
}

TEST(Trainer, ResumedRunEqualsUninterruptedRun) {
  const auto whole = train(shared_directory("whole"), 10);  // 4 steps per epoch: crosses two epoch boundaries
  EXPECT_EQ(whole.exit_code, core::kSuccess);
  EXPECT_EQ(whole.state.global_step, 10);
  const auto root = shared_directory("resumed");
  const auto first = train(root, 6);
  EXPECT_EQ(first.state.epoch, 1);
  EXPECT_EQ(first.state.step_in_epoch, 2);
  const auto second = train(root, 10);  // a fresh model and optimiser, restored from the checkpoint
  EXPECT_EQ(second.state.global_step, 10);
  expect_equal(second, whole);
  // Every rank ends with the same parameters.
  for (const auto& p : whole.parameters) {
    auto copy = p.clone();
    distributed::MpiCommunicator communicator(mpi(), 60.0);
    communicator.broadcast(copy, 0);
    EXPECT_TRUE(torch::equal(copy, p));
  }
}

TEST(Trainer, StopSignalOnOneRankStopsAllRanksWithACheckpoint) {
  if (mpi().size() < 2) GTEST_SKIP() << "needs two ranks";
  const auto root = shared_directory("preempted");
  // The signal arrives on rank 1 after step 3's agreement: every rank stops after step 4.
  const auto stopped = train(root, 10, /*stop_on_rank1_at=*/3);
  EXPECT_EQ(stopped.exit_code, core::kPreempted);
  EXPECT_EQ(stopped.state.global_step, 4);
  EXPECT_TRUE(fs::exists(root / "checkpoints" / "checkpoint-000000004.pt"));
  const auto resumed = train(root, 10);
  EXPECT_EQ(resumed.exit_code, core::kSuccess);
  expect_equal(resumed, train(shared_directory("reference"), 10));
}

TEST(Trainer, TimelineRecordsComputeAndEachBucket) {
  const auto root = shared_directory("timeline");
  train(root, 3, -1, /*timeline=*/true);
  std::ifstream in(root / "logs" / ("timeline-rank" + std::to_string(mpi().rank()) + ".json"));
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(text.find("\"traceEvents\""), std::string::npos);
  EXPECT_NE(text.find("\"backward\""), std::string::npos);
  EXPECT_NE(text.find("\"all_reduce bucket 0\""), std::string::npos);
  EXPECT_NE(text.find("\"all_reduce bucket 1\""), std::string::npos);
  EXPECT_NE(text.find("\"optimizer\""), std::string::npos);
}

// Not a test on its own: failure_test.py runs it under mpirun, SIGKILLs one rank and times how fast the job ends.
// It writes each rank's pid, then trains until killed (at most ~10 minutes).
TEST(Trainer, RunsUntilKilled) {
  const char* directory = std::getenv("SKELAUG_KILL_TEST_DIR");
  if (directory == nullptr) GTEST_SKIP() << "driven by failure_test.py";
  std::ofstream(fs::path(directory) / ("rank-" + std::to_string(mpi().rank()) + ".pid")) << ::getpid() << "\n";
  train(shared_directory("killed"), 1000000);
}

}  // namespace
}  // namespace skelaug::training

