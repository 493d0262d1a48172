#include "skelaug/distributed/backend.h"

#include <fmt/format.h>
#include <torch/cuda.h>

#include <algorithm>
#include <thread>

#include "skelaug/core/config.h"
#include "skelaug/core/error.h"
#include "skelaug/core/logging.h"
#include "skelaug/distributed/mpi_communicator.h"
#include "skelaug/distributed/mpi_environment.h"
#include "skelaug/distributed/thread_binding.h"

#ifdef SKELAUG_WITH_NCCL
#include "cuda_handles.h"
#include "nccl_communicator.h"
#endif

namespace skelaug::distributed {
namespace {

constexpr bool kNcclCompiled =
#ifdef SKELAUG_WITH_NCCL
    true;
#else
    false;
#endif

// A launcher that bound each rank to its own cores (mpirun's default binding, Slurm's --cpus-per-task) has already
// split the node: use the whole mask. Otherwise every rank sees all cores and takes its equal share.
int default_threads(const WorldLayout& layout) {
  const int cores = available_cores();
  const int node_cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return cores < node_cores ? cores : std::max(1, cores / layout.local_size);
}

}  // namespace

int rank_threads(const MpiEnvironment& mpi, const core::Config& config) {
  const auto per_rank = config.get_int("distributed.threads_per_rank");
  return per_rank > 0 ? static_cast<int>(per_rank) : default_threads(mpi.layout());
}

DeviceBinding bind_device(const MpiEnvironment& mpi, const core::Config& config) {
  const auto& layout = mpi.layout();
  const auto& requested = config.get_string("distributed.backend");
  const int gpus = static_cast<int>(torch::cuda::device_count());

  DeviceBinding binding;
  if (requested == "nccl") {
    if (!kNcclCompiled) {
      throw core::UserError("distributed.backend: 'nccl' asked for, but this build has no NCCL backend "
                            "(configure with the CUDA toolkit and NCCL, SKELAUG_WITH_NCCL=ON)");
    }
    if (gpus == 0) {
      throw core::UserError("distributed.backend: 'nccl' asked for, but no CUDA device is visible to LibTorch");
    }
  }
  binding.backend = requested == "auto" ? (kNcclCompiled && gpus > 0 ? "nccl" : "mpi") : requested;
  if (binding.backend == "nccl") {
    binding.cuda_device = layout.local_rank % gpus;
    binding.device = fmt::format("cuda:{}", binding.cuda_device);
#ifdef SKELAUG_WITH_NCCL
    // From here on every CUDA call of this rank without an explicit device (LibTorch's current stream, caching
    // allocator, the communicator's stream and events) goes to its own GPU; otherwise local ranks >= 1 use GPU 0.
    SKELAUG_CUDA_CHECK(cudaSetDevice(binding.cuda_device));
#endif
  }

  binding.threads = rank_threads(mpi, config);
  binding.blas = bind_threads(binding.threads);
  return binding;
}

NcclVersions nccl_versions() {
  NcclVersions versions;
#ifdef SKELAUG_WITH_NCCL
  versions.compiled = fmt::format("{}.{}.{}", NCCL_MAJOR, NCCL_MINOR, NCCL_PATCH);
  int code = 0;
  // Codes since NCCL 2.9 are MAJOR * 10000 + MINOR * 100 + PATCH.
  if (ncclGetVersion(&code) == ncclSuccess) {
    versions.loaded = fmt::format("{}.{}.{}", code / 10000, code / 100 % 100, code % 100);
  }
#endif
  return versions;
}

std::unique_ptr<Communicator> make_communicator(const MpiEnvironment& mpi, const DeviceBinding& binding,
                                                const core::Config& config) {
  if (binding.backend == "nccl") {
#ifdef SKELAUG_WITH_NCCL
    if (const auto versions = nccl_versions(); versions.loaded != versions.compiled && mpi.rank() == 0) {
      SKELAUG_LOG(kWarning) << "NCCL: compiled against " << versions.compiled << " but loaded " << versions.loaded
                            << " (another libnccl.so.2 comes first: check NCCL_ROOT at configure time and "
                               "LD_LIBRARY_PATH)";
    }
    return std::make_unique<NcclCommunicator>(mpi, binding.cuda_device, config.get_float("distributed.timeout_s"));
#endif
  }
  return std::make_unique<MpiCommunicator>(mpi, config.get_float("distributed.timeout_s"));
}

}  // namespace skelaug::distributed
