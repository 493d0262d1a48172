// skelaug: generative data augmentation for skeleton-based action recognition.
#include <CLI/CLI.hpp>

#include <iostream>

#include "skelaug/core/error.h"
#include "skelaug/core/logging.h"
#include "skelaug/core/preemption.h"
#include "skelaug/launcher/command_registry.h"
#include "skelaug/launcher/job.h"
#include "openmp_wait_policy.h"

int main(int argc, char** argv) {
  using namespace skelaug;
  launcher::adopt_passive_openmp_wait(argv);  // may re-execute this program: before anything else runs
  CLI::App app{"skelaug: generative data augmentation for skeleton-based action recognition", "skelaug"};
  app.set_version_flag("--version", [] { return launcher::version_report(); });
  launcher::GlobalOptions options;
  app.add_option("--log-level", options.log_level, "trace, debug, info, warning or error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warning", "error"}))
      ->capture_default_str();

  launcher::CommandRegistry registry(app);
  launcher::register_all_commands(registry, options);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const CLI::ParseError& e) {
    launcher::report_error(e.what() + std::string(" (see --help)"));
    return core::kUserError;
  }

  const auto action = registry.selected();
  if (!action) {
    launcher::report_error("'" + registry.parsed_path() + "' needs a command (see --help)");
    return core::kUserError;
  }
  try {
    // Until a job sets up its run directory, rank 0 logs warnings and progress to the console.
    core::configure_logging({launcher::launcher_rank(), 1, core::parse_log_level(options.log_level), {},
                             launcher::launcher_rank() == 0});
    return action();
  } catch (const core::UserError& e) {
    launcher::report_error(e.what());
    return core::kUserError;
  } catch (const core::Preempted& e) {
    launcher::report_stop(e.what());
    return core::kPreempted;
  } catch (const std::exception& e) {
    launcher::report_error(e.what());
    return core::kInternalError;
  }
}
