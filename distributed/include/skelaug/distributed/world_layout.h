#pragma once

#include <string>

namespace skelaug::distributed {

// Where this process sits in the job.
struct WorldLayout {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;   // index among the ranks on this node: picks the GPU
  int local_size = 1;   // ranks on this node: divides the CPU cores
  int node_count = 1;
  std::string local_rank_source;  // "OMPI_COMM_WORLD_LOCAL_RANK", "SLURM_LOCALID" or "MPI shared-memory split"
  std::string hostname;
};

}  // namespace skelaug::distributed
