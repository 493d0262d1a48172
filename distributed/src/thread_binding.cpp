#include "skelaug/distributed/thread_binding.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <sched.h>

#include <string>
#include <thread>

namespace skelaug::distributed {

int available_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

std::string bind_threads(int threads) {
  at::set_num_threads(threads);
  // Inter-op parallelism stays at one thread; it can only be set once per process and before any parallel work.
  static const bool interop_set = (at::set_num_interop_threads(1), true);
  (void)interop_set;

  // Looked up at run time: which BLAS the system's libblas.so.3 alternative points to is decided by the machine.
  using SetThreads = void (*)(int);
  using GetConfig = char* (*)();
  if (auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
    set(threads);
    auto config = reinterpret_cast<GetConfig>(dlsym(RTLD_DEFAULT, "openblas_get_config"));
    return std::string("OpenBLAS") + (config ? std::string(" (") + config() + ")" : std::string());
  }
  if (auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "bli_thread_set_num_threads"))) {
    set(threads);
    return "BLIS";
  }
  if (dlsym(RTLD_DEFAULT, "mkl_set_num_threads") != nullptr) return "MKL";
  // PyTorch's pip wheels link MKL into libtorch_cpu with hidden symbols; at::set_num_threads above sets its threads.
  if (at::hasMKL()) return "MKL (inside LibTorch)";
  return "reference BLAS (slow: install libopenblas0-pthread)";
}

}  // namespace skelaug::distributed
