#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace skelaug::launcher {

// Options every command shares.
struct GlobalOptions {
  std::string log_level = "info";
};

// An action returns the process exit code (core::ExitCode).
using CommandAction = std::function<int()>;

// Holds the CLI11 tree of `skelaug` subcommands and which action each leaf runs. Every command is registered in one
// place, register_all_commands().
class CommandRegistry {
 public:
  explicit CommandRegistry(CLI::App& app) : app_(app) {}

  // A command group such as "config" or "train"; created once, returned again on later calls.
  CLI::App* group(const std::string& name, const std::string& description);
  // A command group nested in another ("data import").
  CLI::App* group(CLI::App* parent, const std::string& name, const std::string& description);
  // A leaf command under `parent` (the app itself or a group) that runs `action` once parsing succeeded.
  CLI::App* add(CLI::App* parent, const std::string& name, const std::string& description, CommandAction action);

  CLI::App& app() { return app_; }
  // The action of the leaf command the user named; empty if none was.
  CommandAction selected() const;
  // The command words the user gave ("skelaug config"), for messages when no leaf was named.
  std::string parsed_path() const;

 private:
  CLI::App& app_;
  std::vector<std::pair<CLI::App*, CommandAction>> leaves_;
};

void register_all_commands(CommandRegistry& registry, const GlobalOptions& options);

// The description of the "train" command group, which both training commands create (whichever registers first).
inline constexpr const char* kTrainGroupDescription = "Train models (launch under mpirun/srun for data parallelism)";

// Each command's registration, one per file.
void register_config_commands(CommandRegistry& registry, const GlobalOptions& options);
void register_doctor_command(CommandRegistry& registry, const GlobalOptions& options);
void register_data_commands(CommandRegistry& registry, const GlobalOptions& options);
void register_train_generator_command(CommandRegistry& registry, const GlobalOptions& options);
void register_train_recognizer_command(CommandRegistry& registry, const GlobalOptions& options);
void register_evaluate_command(CommandRegistry& registry, const GlobalOptions& options);
void register_sample_command(CommandRegistry& registry, const GlobalOptions& options);
void register_render_command(CommandRegistry& registry, const GlobalOptions& options);
void register_plot_command(CommandRegistry& registry, const GlobalOptions& options);
void register_augment_commands(CommandRegistry& registry, const GlobalOptions& options);

// What `skelaug --version` prints: skelaug, LibTorch, CUDA, NCCL and MPI.
std::string version_report();

}  // namespace skelaug::launcher
