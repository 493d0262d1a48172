#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace skelaug::augment {

// Runs `argv` (argv[0] looked up on PATH) as a child process with its standard output and error appended to `log`,
// and waits for it. SIGTERM or SIGUSR1 received meanwhile is passed on to the child as SIGUSR1 (it finishes its work
// in flight and exits 3, as every skelaug job does; mpirun forwards SIGUSR1 to its ranks, but kills them on SIGTERM);
// SIGINT from a terminal reaches the child by its process group. Returns the child's exit code, or 128 + the signal
// that killed it; core::kPreempted when the child did not succeed after such a signal (one that came before the child
// could catch it kills it). A core::UserError when the program cannot be started or the log cannot be opened.
int run_process(const std::vector<std::string>& argv, const std::filesystem::path& log);

}  // namespace skelaug::augment
