#include "skelaug/launcher/command_registry.h"

namespace skelaug::launcher {

CLI::App* CommandRegistry::group(const std::string& name, const std::string& description) {
  return group(&app_, name, description);
}

CLI::App* CommandRegistry::group(CLI::App* parent, const std::string& name, const std::string& description) {
  for (auto* existing : parent->get_subcommands([](CLI::App*) { return true; })) {
    if (existing->get_name() == name) return existing;
  }
  return parent->add_subcommand(name, description);
}

CLI::App* CommandRegistry::add(CLI::App* parent, const std::string& name, const std::string& description,
                               CommandAction action) {
  auto* command = parent->add_subcommand(name, description);
  leaves_.emplace_back(command, std::move(action));
  return command;
}

CommandAction CommandRegistry::selected() const {
  for (const auto& [command, action] : leaves_) {
    if (command->parsed()) return action;
  }
  return {};
}

std::string CommandRegistry::parsed_path() const {
  std::string path = app_.get_name();
  for (const CLI::App* level = &app_;;) {
    const auto chosen = level->get_subcommands();
    if (chosen.empty()) return path;
    level = chosen.front();
    path += " " + level->get_name();
  }
}

void register_all_commands(CommandRegistry& registry, const GlobalOptions& options) {
  register_config_commands(registry, options);
  register_doctor_command(registry, options);
  register_data_commands(registry, options);
  register_train_generator_command(registry, options);
  register_train_recognizer_command(registry, options);
  register_evaluate_command(registry, options);
  register_sample_command(registry, options);
  register_render_command(registry, options);
  register_plot_command(registry, options);
  register_augment_commands(registry, options);
}

}  // namespace skelaug::launcher
