#include <cstdio>
#include <memory>

#include "skelaug/core/config.h"
#include "skelaug/core/error.h"
#include "skelaug/launcher/command_registry.h"
#include "skelaug/launcher/config_sections.h"

namespace skelaug::launcher {
namespace {

struct ConfigCheckRequest {
  std::string file;
  std::vector<std::string> overrides;
  bool describe = false;
};

int check_config(const ConfigCheckRequest& request) {
  const auto config = core::load_config(full_schema(), request.file, request.overrides);
  std::fputs(config.to_yaml(/*comments=*/request.describe).c_str(), stdout);
  std::fflush(stdout);
  return core::kSuccess;
}

}  // namespace

void register_config_commands(CommandRegistry& registry, const GlobalOptions&) {
  auto* group = registry.group("config", "Inspect configurations");
  auto request = std::make_shared<ConfigCheckRequest>();
  auto* check = registry.add(group, "check",
                             "Validate a config (and overrides) and print the fully resolved result; exits 2 with "
                             "one line naming the file, key and line if anything is wrong",
                             [request] { return check_config(*request); });
  check->add_option("file", request->file, "YAML config file")->required();
  check->add_option("overrides", request->overrides, "key.path=value overrides applied after the file");
  check->add_flag("--describe", request->describe, "print each key's description as a comment");
}

}  // namespace skelaug::launcher
