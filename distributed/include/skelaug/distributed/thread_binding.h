#pragma once

#include <string>

namespace skelaug::distributed {

// Sets LibTorch's intra-op threads and the BLAS library's threads to `threads`, and inter-op threads to 1, so that
// ranks sharing a node never oversubscribe its cores. Returns the BLAS library's name ("OpenBLAS ...", or
// "reference BLAS (slow)" when no optimised BLAS is loaded).
std::string bind_threads(int threads);

// Cores this process may run on (its CPU affinity mask, e.g. under Slurm's --cpus-per-task).
int available_cores();

}  // namespace skelaug::distributed
