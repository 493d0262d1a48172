#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace skelaug::augment {

// Runs `argv` (argv[0] looked up on PATH) as a child process with its standard output and error appended to `log`,
// and waits for it. SIGTERM and SIGUSR1 received meanwhile are passed on to the child (which finishes its work in
// flight and exits 3, as every skelaug job does); SIGINT from a terminal reaches the child by its process group. Returns the child's exit code, or 128 + the
// signal that killed it. A core::UserError when the program cannot be started or the log cannot be opened.
int run_process(const std::vector<std::string>& argv, const std::filesystem::path& log);

}  // namespace skelaug::augment
