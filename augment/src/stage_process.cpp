#include "skelaug/augment/stage_process.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "skelaug/core/error.h"

extern char** environ;

namespace skelaug::augment {
namespace {

std::atomic<int> received_signal{0};

void remember_signal(int signal) { received_signal.store(signal); }

// Handlers that only record the signal, installed while a child runs, and the previous ones put back after: the
// runner itself must outlive the signal to pass it on and report the child's exit.
class ForwardedSignals {
 public:
  ForwardedSignals() {
    struct sigaction action {};
    action.sa_handler = remember_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: waitpid returns EINTR, and the loop passes the signal on
    for (std::size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &action, &previous_[i]);
  }
  ~ForwardedSignals() {
    for (std::size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &previous_[i], nullptr);
  }
  ForwardedSignals(const ForwardedSignals&) = delete;
  ForwardedSignals& operator=(const ForwardedSignals&) = delete;

 private:
  static constexpr std::array<int, 3> kSignals{SIGINT, SIGTERM, SIGUSR1};
  std::array<struct sigaction, 3> previous_{};
};

class SpawnFileActions {
 public:
  SpawnFileActions() { posix_spawn_file_actions_init(&actions_); }
  ~SpawnFileActions() { posix_spawn_file_actions_destroy(&actions_); }
  SpawnFileActions(const SpawnFileActions&) = delete;
  SpawnFileActions& operator=(const SpawnFileActions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

}  // namespace

int run_process(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  if (argv.empty()) throw std::invalid_argument("run_process: no program");
  std::filesystem::create_directories(log.parent_path());
  SpawnFileActions actions;
  const auto log_name = log.string();
  if (posix_spawn_file_actions_addopen(actions.get(), STDOUT_FILENO, log_name.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                       0644) != 0 ||
      posix_spawn_file_actions_adddup2(actions.get(), STDOUT_FILENO, STDERR_FILENO) != 0) {
    throw core::UserError(fmt::format("{}: cannot open the stage's log", log_name));
  }
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);

  received_signal.store(0);
  const ForwardedSignals forwarding;
  pid_t child = 0;
  if (const int error = posix_spawnp(&child, args[0], actions.get(), nullptr, args.data(), environ); error != 0) {
    throw core::UserError(fmt::format("{}: cannot be started: {}", argv[0], std::strerror(error)));
  }
  int forwarded = 0;
  int status = 0;
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) throw core::UserError(fmt::format("{}: lost the child process: {}", argv[0], std::strerror(errno)));
    // A terminal's Ctrl-C reaches the child through its process group already; the others are sent to the runner.
    // Both stop signals go on as SIGUSR1: skelaug treats the two alike (checkpoint, exit 3), but mpirun answers a
    // SIGTERM by killing its ranks and exiting 1, while it passes SIGUSR1 on and exits with the ranks' code.
    const int signal = received_signal.load();
    if (signal != 0 && signal != SIGINT && forwarded == 0) {
      kill(child, SIGUSR1);
      forwarded = SIGUSR1;
    }
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
  // A stop signal that reaches the child before it can checkpoint (while it starts, say) kills it instead: still a
  // stop that the study continues from, not the stage's failure.
  if (code != 0 && received_signal.load() != 0) return core::kPreempted;
  return code;
}

}  // namespace skelaug::augment
