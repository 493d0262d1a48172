#pragma once

#include <c10/core/Device.h>

#include <cstdint>

#include "skelaug/distributed/communicator.h"
#include "skelaug/distributed/mpi_environment.h"

namespace skelaug::distributed {

struct AllReduceTiming {
  double bytes = 0;
  double seconds = 0;      // one all-reduce, mean over iterations and ranks
  double algbw_gbps = 0;   // bytes / seconds
  double busbw_gbps = 0;   // algbw x 2(n-1)/n: the per-link traffic of a ring, comparable across world sizes
};

// Times `iterations` all-reduces (sum) of `elements` float32 values on `device`, after `warmup` untimed ones, from
// one barrier to the next on every rank; the ranks agree on the mean.
AllReduceTiming time_all_reduce(Communicator& communicator, const MpiEnvironment& mpi, const c10::Device& device,
                                std::int64_t elements, std::int64_t warmup, std::int64_t iterations);

}  // namespace skelaug::distributed
