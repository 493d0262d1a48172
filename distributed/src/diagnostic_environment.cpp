#include "skelaug/distributed/diagnostic_environment.h"

#include <algorithm>
#include <array>
#include <string_view>

extern char** environ;

namespace skelaug::distributed {
namespace {

// Open MPI's launcher passes its own wiring as OMPI_MCA_* too; those say nothing a user set.
bool launcher_internal(std::string_view name) {
  constexpr std::array<std::string_view, 5> internal = {"OMPI_MCA_orte_", "OMPI_MCA_ess", "OMPI_MCA_pmix",
                                                        "OMPI_MCA_initial_wdir", "OMPI_MCA_shmem_"};
  return std::any_of(internal.begin(), internal.end(), [&](auto p) { return name.substr(0, p.size()) == p; });
}

bool matters(std::string_view name) {
  if (launcher_internal(name)) return false;
  constexpr std::array<std::string_view, 3> prefixes = {"NCCL_", "UCX_", "OMPI_MCA_"};
  constexpr std::array<std::string_view, 16> names = {
      "CUDA_VISIBLE_DEVICES", "OMP_NUM_THREADS",     "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
      "SLURM_JOB_ID",         "SLURM_JOB_NODELIST",  "SLURM_NNODES",         "SLURM_NTASKS",
      "SLURM_NTASKS_PER_NODE", "SLURM_CPUS_PER_TASK", "SLURM_GPUS_PER_NODE", "SLURM_PROCID",
      "SLURM_LOCALID",        "SLURM_RESTART_COUNT", "SLURM_ARRAY_TASK_ID", "OMPI_COMM_WORLD_LOCAL_RANK"};
  return std::any_of(prefixes.begin(), prefixes.end(), [&](auto p) { return name.substr(0, p.size()) == p; }) ||
         std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

std::vector<std::pair<std::string, std::string>> diagnostic_environment() {
  std::vector<std::pair<std::string, std::string>> found;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const auto equals = text.find('=');
    if (equals == std::string_view::npos || !matters(text.substr(0, equals))) continue;
    found.emplace_back(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace skelaug::distributed
