// skelaug::distributed: the MPI world (control plane), tensor communicators (MPI for CPU tensors, NCCL for CUDA
// tensors), the bucketed gradient reducer, device and thread binding.
// This header includes the library's whole public interface; include the single headers where compile time matters.
#pragma once

#include "skelaug/distributed/all_reduce_timing.h"
#include "skelaug/distributed/backend.h"
#include "skelaug/distributed/communicator.h"
#include "skelaug/distributed/diagnostic_environment.h"
#include "skelaug/distributed/gradient_reducer.h"
#include "skelaug/distributed/mpi_communicator.h"
#include "skelaug/distributed/mpi_environment.h"
#include "skelaug/distributed/thread_binding.h"
#include "skelaug/distributed/world_layout.h"
