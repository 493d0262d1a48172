#include "python_tool.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "skelaug/core/error.h"

extern char** environ;

namespace skelaug::data {
namespace {

constexpr const char* kDefaultPython = "/usr/bin/python3";
constexpr const char* kUserErrorPrefix = "skelaug-tool-error: ";
constexpr int kUserErrorExit = 2;
// The output kept for messages: the end is what names the problem (the last traceback line, the error line).
constexpr std::size_t kKeptOutputBytes = 16 * 1024;

std::string environment_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

// Closes a file descriptor when it goes out of scope, whichever way.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd = -1) : fd_(fd) {}
  ~FileDescriptor() { reset(); }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// The captured output's last non-empty lines joined with " | ", for an internal-error message.
std::string last_lines(const std::string& output, std::size_t count) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < output.size()) {
    auto end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    std::string line = output.substr(start, end - start);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) lines.push_back(std::move(line));
    start = end + 1;
  }
  if (lines.empty()) return "(no output)";
  std::string text;
  for (std::size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i) {
    text += (text.empty() ? "" : " | ") + lines[i];
  }
  return text;
}

// The message of the script's "skelaug-tool-error: " line, if it printed one.
std::string user_error_message(const std::string& output) {
  const auto at = output.rfind(kUserErrorPrefix);
  if (at == std::string::npos || (at > 0 && output[at - 1] != '\n')) return {};
  const auto start = at + std::strlen(kUserErrorPrefix);
  const auto end = output.find('\n', start);
  return output.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace

std::filesystem::path pickle_formats_directory() {
  if (const char* value = std::getenv("SKELAUG_PICKLE_FORMATS_DIR"); value != nullptr && *value != '\0') return value;
  std::error_code error;
  const auto program = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) {
    throw std::runtime_error(fmt::format("cannot find the running program (/proc/self/exe: {}); set "
                                         "SKELAUG_PICKLE_FORMATS_DIR to the pickle readers' directory",
                                         error.message()));
  }
  return (program.parent_path() / SKELAUG_PICKLE_FORMATS_FROM_PROGRAM).lexically_normal();
}

void run_python_tool(const std::string& script, const std::vector<std::string>& arguments) {
  const std::string python = environment_or("SKELAUG_PYTHON", kDefaultPython);
  const std::filesystem::path script_path = pickle_formats_directory() / script;
  if (!std::filesystem::is_regular_file(script_path)) {
    throw std::runtime_error(fmt::format("the pickle reader {} is missing (an incomplete installation? "
                                         "SKELAUG_PICKLE_FORMATS_DIR names another directory)",
                                         script_path.string()));
  }

  // -B: write no __pycache__ beside the scripts; -E: ignore PYTHON* variables; -s: no user site-packages.
  std::vector<std::string> words{python, "-B", "-E", "-s", script_path.string()};
  words.insert(words.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (auto& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);

  int pipe_ends[2];
  if (::pipe2(pipe_ends, O_CLOEXEC) != 0) {
    throw std::runtime_error(fmt::format("cannot create a pipe for {}: {}", script, std::strerror(errno)));
  }
  FileDescriptor read_end(pipe_ends[0]);
  FileDescriptor write_end(pipe_ends[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDERR_FILENO);
  pid_t child = 0;
  // posix_spawnp searches PATH when SKELAUG_PYTHON is a bare name such as "python3".
  const int spawn_error = ::posix_spawnp(&child, python.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawn_error != 0) {
    throw std::runtime_error(fmt::format("cannot run the Python interpreter '{}' (set SKELAUG_PYTHON): {}", python,
                                         std::strerror(spawn_error)));
  }
  write_end.reset();  // so that reading ends when the child exits

  std::string output;
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::read(read_end.get(), buffer, sizeof buffer);
    if (got > 0) {
      output.append(buffer, static_cast<std::size_t>(got));
      if (output.size() > 2 * kKeptOutputBytes) output.erase(0, output.size() - kKeptOutputBytes);
    } else if (got == 0 || errno != EINTR) {
      break;
    }
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error(fmt::format("waiting for {}: {}", script, std::strerror(errno)));
  }

  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  if (WIFEXITED(status) && WEXITSTATUS(status) == kUserErrorExit) {
    const auto message = user_error_message(output);
    if (!message.empty()) throw core::UserError(message);
  }
  const std::string how = WIFEXITED(status) ? fmt::format("exit code {}", WEXITSTATUS(status))
                                            : fmt::format("signal {}", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  throw std::runtime_error(fmt::format("{} {} failed ({}): {}", python, script_path.string(), how,
                                       last_lines(output, 3)));
}

}  // namespace skelaug::data
