#include "skelaug/core/config_schema.h"
#include "skelaug/distributed/backend.h"

namespace skelaug::distributed {

void add_distributed_config_keys(core::Schema& schema) {
  schema
      .add_choice("distributed.backend", "auto", {"auto", "mpi", "nccl"},
                  "tensor communication: nccl (CUDA tensors), mpi (CPU tensors), auto = nccl if a GPU is visible")
      .add_float("distributed.timeout_s", 600.0, 1.0, 86400.0,
                 "seconds one collective may take before the rank reports a dead or stuck peer and aborts the job")
      .add_int("distributed.threads_per_rank", 0, 0, 1024,
               "CPU threads per rank for LibTorch and BLAS; 0 = cores on the node / ranks on the node");
}

}  // namespace skelaug::distributed
