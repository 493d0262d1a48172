#include <fmt/format.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include "skelaug/core/build_info.h"
#include "skelaug/distributed/backend.h"
#include "skelaug/distributed/mpi_environment.h"
#include "skelaug/launcher/command_registry.h"
#include "openmp_wait_policy.h"

namespace skelaug::launcher {

std::string version_report() {
  const auto& build = core::build_info();
  const auto gpus = torch::cuda::device_count();
  std::string cuda = build.torch_cuda ? fmt::format("LibTorch built with CUDA, {} device(s) visible", gpus)
                                      : std::string("not available (CPU LibTorch)");
  std::string nccl = "not compiled";
  if (build.nccl_compiled) {
    const auto versions = distributed::nccl_versions();
    nccl = versions.loaded == versions.compiled
               ? fmt::format("compiled and loaded NCCL {}", versions.compiled)
               : fmt::format("compiled against NCCL {} but loaded {} (another libnccl.so.2 comes first: check "
                             "NCCL_ROOT at configure time and LD_LIBRARY_PATH)",
                             versions.compiled, versions.loaded.empty() ? "unknown" : versions.loaded);
  }
  return fmt::format(
      "skelaug {} ({})\n"
      "LibTorch {}\n"
      "CUDA: {}\n"
      "NCCL: {}\n"
      "MPI: {}\n"
      "Pictures: {}\n"
      "MP4 video: {}\n"
      "OpenMP wait policy: {}",
      build.version, build.build_type, TORCH_VERSION, cuda, nccl, distributed::MpiEnvironment::library_version(),
      build.pictures ? "yes (PLplot, libgd)" : "no (built without SKELAUG_WITH_PICTURES: no plots, GIF or MP4)",
      build.video ? "yes (FFmpeg)" : "no (built without SKELAUG_WITH_VIDEO)", openmp_wait_policy_report());
}

}  // namespace skelaug::launcher
