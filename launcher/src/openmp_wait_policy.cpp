#include "openmp_wait_policy.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

namespace skelaug::launcher {
namespace {

constexpr const char* kPolicy = "OMP_WAIT_POLICY";
// Set beside the policy before re-executing, so the new process can tell its policy came from skelaug.
constexpr const char* kDefaultedMarker = "SKELAUG_OMP_WAIT_POLICY_DEFAULTED";

std::string& exec_failure() {
  static std::string failure;
  return failure;
}

}  // namespace

void adopt_passive_openmp_wait(char** argv) {
  if (std::getenv(kPolicy) != nullptr) return;
  if (::setenv(kPolicy, "PASSIVE", 1) != 0 || ::setenv(kDefaultedMarker, "1", 1) != 0) {
    exec_failure() = std::string("setenv: ") + std::strerror(errno);
    return;
  }
  // Re-execute the program's own file by its real path, not through the /proc/self/exe link: the kernel names a
  // process after the file it executes, and `ps`, `top`, `pgrep skelaug` and cluster monitoring look for "skelaug",
  // not "exe". The link stays the fallback for a file replaced since it started (readlink then ends in " (deleted)").
  std::error_code error;
  const auto program = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error && std::filesystem::is_regular_file(program, error)) ::execv(program.c_str(), argv);
  ::execv("/proc/self/exe", argv);
  // Still here: exec failed. Carry on under the runtime's default, and say so in the logs (the variable set in this
  // process's environment would change nothing for the OpenMP runtime already loaded).
  exec_failure() = std::string("re-executing /proc/self/exe: ") + std::strerror(errno);
  ::unsetenv(kPolicy);
  ::unsetenv(kDefaultedMarker);
}

std::string openmp_wait_policy_report() {
  if (!exec_failure().empty()) {
    return "the OpenMP runtime's default (idle threads spin): skelaug could not apply PASSIVE (" + exec_failure() +
           "); set OMP_WAIT_POLICY=PASSIVE yourself";
  }
  const char* policy = std::getenv(kPolicy);
  if (policy == nullptr) return "the OpenMP runtime's default (idle threads spin)";
  return std::string(policy) + (std::getenv(kDefaultedMarker) != nullptr ? " (skelaug's default)"
                                                                         : " (from the environment)");
}

}  // namespace skelaug::launcher
