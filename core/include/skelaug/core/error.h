#pragma once

#include <stdexcept>
#include <string>

namespace skelaug::core {

// A mistake in what the user gave us (a file, a config key, an option). The launcher prints its message as one line
// and exits with ExitCode::kUserError; it never carries a stack dump. The message must name what and where.
class UserError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Exit codes are part of the interface: Slurm scripts and tests act on them.
enum ExitCode : int {
  kSuccess = 0,
  kInternalError = 1,  // a bug or an environment failure (MPI, CUDA, I/O)
  kUserError = 2,      // bad input: file, config, option
  kPreempted = 3,      // SIGTERM/SIGUSR1: a checkpoint was saved and the job can be requeued to resume from it
};

}  // namespace skelaug::core
