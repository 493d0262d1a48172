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

// The NCCL this process runs: the version compiled against (nccl.h) and the version of the libnccl.so.2 the dynamic
// loader chose (ncclGetVersion), as MAJOR.MINOR.PATCH; both empty when NCCL is not compiled in. They differ when the
// build found one NCCL's header and another's library, or LD_LIBRARY_PATH puts another libnccl first at run time
// (on the first GPU host the system's 2.28.3 was loaded under the pip wheel's 2.28.9 header). LibTorch's CUDA build
// uses the same loaded library: one process holds one libnccl.so.2.
struct NcclVersions {
  std::string compiled;
  std::string loaded;
};
NcclVersions nccl_versions();

// The tensor communicator for `binding.backend`.
std::unique_ptr<Communicator> make_communicator(const MpiEnvironment& mpi, const DeviceBinding& binding,
                                                const core::Config& config);

}  // namespace skelaug::distributed
