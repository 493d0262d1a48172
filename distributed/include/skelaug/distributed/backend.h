#pragma once

#include <memory>
#include <string>

#include "skelaug/distributed/communicator.h"

namespace skelaug::core {
class Config;
class Schema;
}  // namespace skelaug::core

namespace skelaug::distributed {

class MpiEnvironment;

// The `distributed` section of the config schema.
void add_distributed_config_keys(core::Schema& schema);

// What a rank computes on, chosen from the config and the machine.
struct DeviceBinding {
  std::string backend;        // "mpi" or "nccl"
  std::string device = "cpu"; // "cpu" or "cuda:<index>"
  int cuda_device = -1;       // GPU index (local rank modulo visible GPUs), -1 on the CPU
  int threads = 1;            // intra-op CPU threads of this rank
  std::string blas;           // BLAS library LibTorch's matrix products run on
};

// This rank's share of the CPU cores: distributed.threads_per_rank, or (0) the cores of its affinity mask when the
// launcher bound it to some, else the node's cores divided among its ranks on the node.
int rank_threads(const MpiEnvironment& mpi, const core::Config& config);

// Resolves `distributed.backend` (auto: NCCL when compiled in and a GPU is visible, else MPI), binds this rank to its
// GPU (made the current CUDA device) and its share of the CPU cores. Throws UserError when the config asks for what
// this build or machine lacks.
DeviceBinding bind_device(const MpiEnvironment& mpi, const core::Config& config);

// The tensor communicator for `binding.backend`.
std::unique_ptr<Communicator> make_communicator(const MpiEnvironment& mpi, const DeviceBinding& binding,
                                                const core::Config& config);

}  // namespace skelaug::distributed
