// Runs under `mpirun -np N` (1 and 3). The held-out evaluation counts every clip exactly once over the ranks, every
// rank gets the whole result, and it equals one rank's evaluation of every clip; the model's mode is left as it was.
#include "skelaug/evaluation/held_out_evaluation.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "mpi_test.h"
#include "skelaug/data/demo_dataset.h"
#include "skelaug/distributed/mpi_communicator.h"
#include "skelaug/distributed/mpi_environment.h"

namespace skelaug::evaluation {
namespace {

using skelaug::testing::mpi;

TEST(HeldOutEvaluation, EveryClipOnceOverTheRanksAndTheSameResultEverywhere) {
  data::DemoOptions demo;
  demo.clips_per_class = 5;  // 70 clips: shares of 24, 23, 23 on 3 ranks, in batches of 8 (uneven final batches)
  demo.min_frames = 20;
  demo.max_frames = 30;
  const auto dataset = std::make_shared<const data::SkeletonDataset>(data::make_demo_dataset(demo));
  std::vector<std::int64_t> clips(dataset->size());
  for (std::size_t i = 0; i < clips.size(); ++i) clips[i] = static_cast<std::int64_t>(i);

  torch::manual_seed(4);  // the same weights on every rank
  models::RecognizerOptions options;
  options.architecture = "stgcn_pp";
  options.num_classes = static_cast<std::int64_t>(dataset->class_names.size());
  options.base_channels = 8;
  options.stages = 2;
  const auto model = models::make_recognizer(options);
  model->train();
  const models::RecognizerInputs inputs(dataset->topology, options.streams);

  data::LoaderOptions training;
  training.clip_length = 16;
  training.workers = 0;
  distributed::MpiCommunicator communicator(mpi(), 60.0);
  data::SkeletonLoader shared(dataset, data::evaluation_options(training, clips, 8, mpi().rank(), mpi().size()));
  const auto together = evaluate_held_out(*model, shared, inputs, torch::kCPU, communicator);
  EXPECT_TRUE(model->is_training());
  EXPECT_EQ(together.num_samples(), 70);

  // Every rank evaluates every clip alone: the sum over the ranks must equal it.
  data::SkeletonLoader whole(dataset, data::evaluation_options(training, clips, 8, 0, 1));
  ConfusionMatrix alone(options.num_classes);
  {
    torch::NoGradGuard no_grad;
    model->eval();
    whole.start_epoch(0);
    while (auto batch = whole.next()) alone.add(model->forward(inputs(batch->joints, batch->mask), batch->mask), batch->labels);
  }
  EXPECT_TRUE(torch::equal(together.counts(), alone.counts()));
}

}  // namespace
}  // namespace skelaug::evaluation
