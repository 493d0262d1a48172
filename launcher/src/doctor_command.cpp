#include <ATen/ATen.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <torch/cuda.h>

#include "skelaug/core/error.h"
#include "skelaug/distributed/all_reduce_timing.h"
#include "skelaug/core/logging.h"
#include "skelaug/core/progress.h"
#include "skelaug/launcher/command_registry.h"
#include "skelaug/launcher/doctor.h"
#include "skelaug/launcher/job.h"
#include "openmp_wait_policy.h"

namespace skelaug::launcher {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// One collective checked against its closed-form result; logs and counts a mismatch.
int expect_equal(const at::Tensor& got, const at::Tensor& want, const std::string& what) {
  if (got.sizes() == want.sizes() && at::allclose(got.to(at::kDouble), want.to(at::kDouble), 1e-6, 1e-6)) return 0;
  const double error = got.sizes() == want.sizes()
                           ? (got.to(at::kDouble) - want.to(at::kDouble)).abs().max().item<double>()
                           : -1.0;
  SKELAUG_LOG(kError) << fmt::format("doctor: {} is wrong (max abs error {})", what, error);
  return 1;
}

int check_collectives(distributed::Communicator& comm, const at::Device& device, std::int64_t elements) {
  const int world = comm.size();
  const int rank = comm.rank();
  int failures = 0;
  for (const auto dtype : {at::kFloat, at::kDouble, at::kLong}) {
    const auto options = at::TensorOptions().dtype(dtype).device(device);
    const auto name = std::string(c10::toString(dtype));
    const auto base = at::arange(elements, options);

    const std::vector<std::pair<distributed::ReduceOp, std::int64_t>> reductions = {
        {distributed::ReduceOp::kSum, static_cast<std::int64_t>(world) * (world + 1) / 2},
        {distributed::ReduceOp::kMax, world},
        {distributed::ReduceOp::kMin, 1}};
    const char* op_names[] = {"sum", "max", "min"};
    for (std::size_t i = 0; i < reductions.size(); ++i) {
      auto tensor = base * (rank + 1);
      comm.all_reduce(tensor, reductions[i].first);
      failures += expect_equal(tensor.cpu(), (base * reductions[i].second).cpu(),
                               fmt::format("all_reduce {} of {}", op_names[i], name));
    }
    if (at::isFloatingType(dtype)) {
      auto tensor = base * (rank + 1);
      comm.all_reduce(tensor, distributed::ReduceOp::kAverage);
      failures += expect_equal(tensor.cpu(), (base * (world + 1) / 2.0).cpu(), "all_reduce average of " + name);
    }
    auto broadcast = base + rank;
    comm.broadcast(broadcast, world - 1);
    failures += expect_equal(broadcast.cpu(), (base + (world - 1)).cpu(), "broadcast of " + name);

    const auto gathered = comm.all_gather(base + rank).cpu();
    const auto ranks = at::arange(world, at::TensorOptions().dtype(dtype)).unsqueeze(1);
    failures += expect_equal(gathered, base.cpu().unsqueeze(0) + ranks, "all_gather of " + name);
  }
  comm.barrier();
  return failures;
}

double matmul_gflops(const at::Device& device, std::int64_t n) {
  const auto options = at::TensorOptions().dtype(at::kFloat).device(device);
  const auto a = at::rand({n, n}, options);
  const auto b = at::rand({n, n}, options);
  auto product = at::mm(a, b);  // warm-up
  if (device.is_cuda()) torch::cuda::synchronize(device.index());
  std::int64_t repeats = 0;
  const auto start = Clock::now();
  do {
    product = at::mm(a, b);
    if (device.is_cuda()) torch::cuda::synchronize(device.index());
    ++repeats;
  } while (seconds_since(start) < 0.25);
  return 2.0 * static_cast<double>(n * n * n) * static_cast<double>(repeats) / seconds_since(start) / 1e9;
}

}  // namespace

void add_doctor_config_keys(core::Schema& schema) {
  schema
      .add_int_list("doctor.sizes_kib", {4, 64, 1024, 16384}, 1, 4194304,
                    "all-reduce message sizes (KiB of float32) whose bus bandwidth is measured")
      .add_int("doctor.iterations", 20, 1, 100000, "timed all-reduces per message size")
      .add_int("doctor.warmup", 3, 0, 1000, "untimed all-reduces before each size")
      .add_int("doctor.check_elements", 1000, 1, 100000000, "elements of the tensors the correctness checks use")
      .add_int("doctor.matmul_size", 512, 16, 16384, "side of the square float32 matrices timed on each rank");
}

int run_doctor(Job& job) {
  const auto& config = job.config();
  auto& comm = job.communicator();
  auto& mpi = job.mpi();
  const at::Device device(job.binding().device);
  at::manual_seed(static_cast<std::uint64_t>(config.get_int("run.seed") + mpi.rank()));

  const auto& layout = mpi.layout();
  const auto rows = mpi.all_gather(fmt::format(
      "rank {} on {} node-rank {}/{} device {} threads {} BLAS {}", layout.rank, layout.hostname, layout.local_rank,
      layout.local_size, job.binding().device, job.binding().threads, job.binding().blas));
  for (const auto& row : rows) SKELAUG_LOG(kDebug) << "doctor: " << row;
  job.record({{"event", "world"}, {"world_size", mpi.size()}, {"nodes", layout.node_count},
              {"backend", comm.backend()}, {"ranks", rows}});

  const auto failures = mpi.sum(check_collectives(comm, device, config.get_int("doctor.check_elements")));
  SKELAUG_LOG(kInfo) << fmt::format("doctor: collectives on {} rank(s): {}", mpi.size(),
                                    failures == 0 ? "all correct" : fmt::format("{} wrong", failures));
  job.record({{"event", "collectives"}, {"failures", failures}});

  const auto& sizes = config.get_int_list("doctor.sizes_kib");
  core::Progress progress("all-reduce bandwidth", static_cast<std::int64_t>(sizes.size()),
                          config.get_float("run.progress_interval_s"), job.is_root());
  for (const auto kib : sizes) {
    const auto timing = distributed::time_all_reduce(comm, mpi, device, kib * 1024 / 4, config.get_int("doctor.warmup"),
                                              config.get_int("doctor.iterations"));
    SKELAUG_LOG(kInfo) << fmt::format("doctor: all-reduce {:>8} KiB: {:9.1f} us, algbw {:7.3f} GB/s, busbw {:7.3f} GB/s",
                                      kib, timing.seconds * 1e6, timing.algbw_gbps, timing.busbw_gbps);
    job.record({{"event", "all_reduce"}, {"backend", comm.backend()}, {"bytes", timing.bytes},
                {"seconds", timing.seconds}, {"algbw_gbps", timing.algbw_gbps}, {"busbw_gbps", timing.busbw_gbps}});
    progress.advance(1, fmt::format("{} KiB", kib));
  }
  progress.finish();

  const double gflops = matmul_gflops(device, config.get_int("doctor.matmul_size"));
  const auto all_gflops = mpi.all_gather(fmt::format("{:.2f}", gflops));
  SKELAUG_LOG(kInfo) << fmt::format("doctor: float32 matmul {}x{}: {} GFLOP/s per rank", config.get_int("doctor.matmul_size"),
                                    config.get_int("doctor.matmul_size"), fmt::join(all_gflops, ", "));
  job.record({{"event", "matmul"}, {"size", config.get_int("doctor.matmul_size")}, {"gflops_per_rank", all_gflops}});
  if (job.binding().blas.rfind("reference", 0) == 0) {
    SKELAUG_LOG(kWarning) << "doctor: LibTorch runs on the reference BLAS; install libopenblas0-pthread";
  }
  if (const auto policy = openmp_wait_policy_report(); job.binding().threads > 1 && policy.rfind("PASSIVE", 0) != 0) {
    SKELAUG_LOG(kWarning) << "doctor: OpenMP wait policy " << policy
                          << "; spinning OpenMP threads slow OpenBLAS's on shared cores (OMP_WAIT_POLICY=PASSIVE)";
  }

  if (failures != 0) {
    throw std::runtime_error(fmt::format("doctor: {} collective check(s) gave wrong results; see the logs", failures));
  }
  SKELAUG_LOG(kInfo) << "doctor: all checks passed; results in " << job.run().metrics_file().string();
  return core::kSuccess;
}

void register_doctor_command(CommandRegistry& registry, const GlobalOptions& options) {
  add_job_command(registry, &registry.app(), "doctor",
                  "Check a (multi-rank) job's world before a long run: layout, collective correctness, all-reduce "
                  "bandwidth, BLAS speed. Launch it like training: mpirun -np N skelaug doctor --config FILE",
                  options, run_doctor);
}

}  // namespace skelaug::launcher
