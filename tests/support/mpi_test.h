#pragma once

#include "skelaug/distributed/mpi_environment.h"

namespace skelaug::testing {

// The MPI world of a test executable run under `mpirun -np N` (see mpi_test_main.cpp).
distributed::MpiEnvironment& mpi();

}  // namespace skelaug::testing
