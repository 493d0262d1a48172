#include "skelaug/distributed/all_reduce_timing.h"

#include <ATen/ATen.h>

#include <chrono>

namespace skelaug::distributed {

AllReduceTiming time_all_reduce(Communicator& communicator, const MpiEnvironment& mpi, const c10::Device& device,
                                std::int64_t elements, std::int64_t warmup, std::int64_t iterations) {
  auto tensor = at::rand({elements}, at::TensorOptions().dtype(at::kFloat).device(device));
  for (std::int64_t i = 0; i < warmup; ++i) communicator.all_reduce(tensor, ReduceOp::kSum);
  communicator.barrier();
  const auto start = std::chrono::steady_clock::now();
  for (std::int64_t i = 0; i < iterations; ++i) communicator.all_reduce(tensor, ReduceOp::kSum);
  communicator.barrier();
  const auto elapsed_us = static_cast<long long>(
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
  AllReduceTiming timing;
  timing.bytes = static_cast<double>(elements) * 4.0;
  timing.seconds = static_cast<double>(mpi.sum(elapsed_us)) / mpi.size() / 1e6 / static_cast<double>(iterations);
  timing.algbw_gbps = timing.bytes / timing.seconds / 1e9;
  timing.busbw_gbps = timing.algbw_gbps * 2.0 * (mpi.size() - 1) / mpi.size();
  return timing;
}

}  // namespace skelaug::distributed
