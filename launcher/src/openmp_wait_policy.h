#pragma once

#include <string>

namespace skelaug::launcher {

// LibTorch's OpenMP threads and OpenBLAS's own threads share the cores. Under libgomp's default wait policy an OpenMP
// thread keeps spinning after each parallel region on a core that OpenBLAS's threads need for the next matrix
// product, and OpenBLAS's idle threads yield-spin in turn: on the 2-core dev machine that doubled the generator's
// training step. libgomp reads OMP_WAIT_POLICY once, when it is loaded (before main), so when the variable is unset
// skelaug sets it to PASSIVE and re-executes itself, once; a value the user set is left alone. Call first in main,
// before MPI or any thread starts.
void adopt_passive_openmp_wait(char** argv);

// The policy this process runs under, for logs and `--version`: "PASSIVE (skelaug's default)", "ACTIVE (from the
// environment)", or "the OpenMP runtime's default (idle threads spin): ..." when re-executing failed.
std::string openmp_wait_policy_report();

}  // namespace skelaug::launcher
