#pragma once

#include <filesystem>
#include <vector>

namespace skelaug::visual {

// The plots of a training run from RUN_DIR/metrics.jsonl, each as PNG and SVG (write_line_plot) in `out_dir`
// (created if missing): loss.{png,svg}, the training loss against the step with a moving mean once there are 100
// steps or more; learning_rate.{png,svg} when the step lines carry "lr"; accuracy.{png,svg}, the held-out top-1,
// top-5 and mean class accuracy (%) against the epoch, when the run evaluated. Returns the files written, in that
// order. core::UserError naming the metrics file (see read_training_metrics) and when it has nothing to plot.
std::vector<std::filesystem::path> write_training_plots(const std::filesystem::path& run_dir,
                                                        const std::filesystem::path& out_dir);

}  // namespace skelaug::visual
