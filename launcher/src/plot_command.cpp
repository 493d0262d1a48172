// `skelaug plot`: a training run's curves (loss, learning rate, held-out accuracy) from its metrics.jsonl, as PNG and
// SVG.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>

#include "skelaug/core/error.h"
#include "skelaug/launcher/command_registry.h"
#include "skelaug/visual/training_plots.h"

namespace skelaug::launcher {
namespace {

struct PlotRequest {
  std::string run_dir;
  std::string output;
};

int plot(const PlotRequest& request) {
  const std::filesystem::path run_dir(request.run_dir);
  const auto out_dir = request.output.empty() ? run_dir / "plots" : std::filesystem::path(request.output);
  for (const auto& file : visual::write_training_plots(run_dir, out_dir)) {
    std::fputs(fmt::format("{}\n", file.string()).c_str(), stdout);
  }
  return core::kSuccess;
}

}  // namespace

void register_plot_command(CommandRegistry& registry, const GlobalOptions&) {
  auto request = std::make_shared<PlotRequest>();
  auto* command = registry.add(
      &registry.app(), "plot",
      "Plot a training run's metrics.jsonl: loss against step, learning rate, held-out top-1/top-5 against epoch, as "
      "PNG and SVG: skelaug plot RUN_DIR [-o OUT_DIR]",
      [request] { return plot(*request); });
  command->add_option("run_dir", request->run_dir, "the run directory (holding metrics.jsonl)")->required();
  command->add_option("-o,--output", request->output, "the directory for the plots (default: RUN_DIR/plots)");
}

}  // namespace skelaug::launcher
