// Distributed-core benchmark; run under mpirun, e.g.
//   mpirun -np 2 build/bin/bench_distributed [--steps N]
// 1. All-reduce bus bandwidth per backend and message size (busbw = bytes/time x 2(n-1)/n, as nccl-tests reports).
// 2. Overlap: a model with several gradient buckets trained with the GradientReducer (all-reduces start during
//    backward) beside the same model with one all-reduce of all gradients after backward (the reference without
//    overlap), in the same run: step times, their ratio, and the fraction of communication time hidden under
//    backward, read from the timeline.
#include <fmt/format.h>
#include <torch/torch.h>

#include <cstring>
#include <numeric>

#include "skelaug/core/timeline.h"
#include "skelaug/distributed/all_reduce_timing.h"
#include "skelaug/distributed/gradient_reducer.h"
#include "skelaug/distributed/mpi_communicator.h"
#include "skelaug/distributed/mpi_environment.h"
#include "skelaug/distributed/thread_binding.h"

using namespace skelaug;
using Clock = std::chrono::steady_clock;

namespace {

torch::nn::Sequential make_model(int layers, int width) {
  torch::nn::Sequential model;
  for (int i = 0; i < layers; ++i) {
    model->push_back(torch::nn::Linear(width, width));
    model->push_back(torch::nn::Tanh());
  }
  return model;
}

double seconds(Clock::time_point start, Clock::time_point end) { return std::chrono::duration<double>(end - start).count(); }

}  // namespace

int main(int argc, char** argv) {
  int steps = 20;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--steps") == 0) steps = std::atoi(argv[i + 1]);
  }
  distributed::MpiEnvironment mpi;
  const int cores = distributed::available_cores();
  distributed::bind_threads(std::max(1, cores));
  distributed::MpiCommunicator communicator(mpi, 300.0);
  const bool root = mpi.rank() == 0;
  if (root) fmt::print("ranks {}, {} thread(s) per rank\n\n", mpi.size(), std::max(1, cores));

  if (root) fmt::print("all-reduce, backend mpi (CPU)\n{:>12} {:>12} {:>12} {:>12}\n", "bytes", "time us", "algbw GB/s", "busbw GB/s");
  for (std::int64_t bytes = 4096; bytes <= (64LL << 20); bytes *= 4) {
    const auto timing = distributed::time_all_reduce(communicator, mpi, torch::kCPU, bytes / 4, 3, bytes >= (16 << 20) ? 5 : 20);
    if (root) fmt::print("{:>12} {:>12.1f} {:>12.3f} {:>12.3f}\n", bytes, timing.seconds * 1e6, timing.algbw_gbps, timing.busbw_gbps);
  }

  constexpr int kLayers = 8, kWidth = 512, kBatch = 256;
  torch::manual_seed(0);
  auto model = make_model(kLayers, kWidth);
  const auto input = torch::randn({kBatch, kWidth});
  const auto target = torch::randn({kBatch, kWidth});
  auto parameters = model->parameters();
  const auto gradient_bytes = std::accumulate(parameters.begin(), parameters.end(), std::int64_t{0},
                                              [](std::int64_t sum, const torch::Tensor& p) { return sum + p.numel() * 4; });

  // Overlapped: the reducer's buckets (1 MiB caps, so several buckets) start during backward.
  core::Timeline timeline;
  distributed::GradientReducer reducer(parameters, communicator, {1 << 20, 1 << 20}, &timeline);
  std::vector<double> overlapped;
  for (int step = 0; step < steps + 3; ++step) {
    communicator.barrier();
    if (step == 3) timeline.clear();  // warm-up steps are not measured
    const auto start = Clock::now();
    reducer.prepare(true);
    const auto loss = torch::mse_loss(model->forward(input), target);
    const auto backward_start = Clock::now();
    loss.backward();
    const auto backward_end = Clock::now();
    reducer.finish();
    const auto end = Clock::now();
    timeline.record("backward", "compute", 0, backward_start, backward_end);
    for (auto& p : parameters) p.mutable_grad().zero_();
    if (step >= 3) overlapped.push_back(seconds(start, end));
  }
  std::vector<core::Timeline::Event> communication, compute;
  for (const auto& event : timeline.events()) (event.category == "communication" ? communication : compute).push_back(event);
  const double hidden = core::hidden_fraction(communication, compute);

  // Reference: backward first, then one all-reduce of all gradients (no overlap).
  std::vector<double> sequential;
  for (int step = 0; step < steps + 3; ++step) {
    communicator.barrier();
    const auto start = Clock::now();
    const auto loss = torch::mse_loss(model->forward(input), target);
    loss.backward();
    std::vector<torch::Tensor> grads;
    for (auto& p : parameters) grads.push_back(p.grad().view(-1));
    auto flat = torch::cat(grads);
    communicator.all_reduce(flat, distributed::ReduceOp::kAverage);
    std::int64_t offset = 0;
    for (auto& p : parameters) {
      p.mutable_grad().view(-1).copy_(flat.narrow(0, offset, p.numel()));
      offset += p.numel();
    }
    const auto end = Clock::now();
    for (auto& p : parameters) p.mutable_grad().zero_();
    if (step >= 3) sequential.push_back(seconds(start, end));
  }

  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  if (root) {
    fmt::print("\noverlap: MLP {} x Linear({}, {}), batch {}, {:.1f} MiB of gradients in {} buckets, {} steps\n", kLayers,
               kWidth, kWidth, kBatch, gradient_bytes / 1048576.0, reducer.bucket_members().size(), steps);
    fmt::print("  step, reducer (overlapped)        {:8.2f} ms\n", median(overlapped) * 1e3);
    fmt::print("  step, all-reduce after backward   {:8.2f} ms\n", median(sequential) * 1e3);
    fmt::print("  ratio overlapped / reference      {:8.3f}\n", median(overlapped) / median(sequential));
    fmt::print("  communication hidden under backward (rank 0, all measured steps): {:.1f}%\n", hidden * 100);
  }
  return 0;
}
