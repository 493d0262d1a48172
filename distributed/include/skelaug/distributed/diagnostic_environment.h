#pragma once

#include <string>
#include <utility>
#include <vector>

namespace skelaug::distributed {

// The environment variables that decide how a distributed run behaves (NCCL_*, UCX_*, OMPI_MCA_*, the Slurm job
// layout, CUDA_VISIBLE_DEVICES, thread counts), sorted by name, for the start-up log of every rank.
std::vector<std::pair<std::string, std::string>> diagnostic_environment();

}  // namespace skelaug::distributed
