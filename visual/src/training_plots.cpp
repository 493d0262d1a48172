#include "skelaug/visual/training_plots.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "skelaug/core/error.h"
#include "skelaug/visual/line_plot.h"
#include "skelaug/visual/training_metrics.h"

namespace skelaug::visual {
namespace {

constexpr std::size_t kStepsForMovingMean = 100;  // below this the raw curve reads well on its own

bool any_finite(const std::vector<double>& values) {
  return std::any_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
}

// The mean of the last `window` finite values up to each point (NaN until one is seen).
std::vector<double> trailing_mean(const std::vector<double>& values, std::size_t window) {
  std::vector<double> means(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    double sum = 0;
    std::size_t count = 0;
    for (std::size_t j = i + 1 - std::min(window, i + 1); j <= i; ++j) {
      if (!std::isfinite(values[j])) continue;
      sum += values[j];
      ++count;
    }
    means[i] = count > 0 ? sum / static_cast<double>(count) : std::nan("");
  }
  return means;
}

void write(const LinePlot& plot, const std::filesystem::path& out_dir, const char* name,
           std::vector<std::filesystem::path>& written) {
  write_line_plot(plot, out_dir / name);
  written.push_back(out_dir / fmt::format("{}.png", name));
  written.push_back(out_dir / fmt::format("{}.svg", name));
}

}  // namespace

std::vector<std::filesystem::path> write_training_plots(const std::filesystem::path& run_dir,
                                                        const std::filesystem::path& out_dir) {
  const auto metrics_file = run_dir / "metrics.jsonl";
  const auto metrics = read_training_metrics(metrics_file);
  const auto run_name = std::filesystem::absolute(run_dir).lexically_normal().filename().string();

  std::vector<double> steps, losses, rates;
  for (const auto& step : metrics.steps) {
    steps.push_back(static_cast<double>(step.step));
    losses.push_back(step.loss);
    rates.push_back(step.learning_rate);
  }
  const bool has_loss = any_finite(losses);
  if (!has_loss && metrics.evaluations.empty()) {
    throw core::UserError(fmt::format(
        "{}: nothing to plot: no train_step line with a finite loss and no evaluation line", metrics_file.string()));
  }

  std::filesystem::create_directories(out_dir);
  std::vector<std::filesystem::path> written;
  if (has_loss) {
    LinePlot plot{fmt::format("{}: training loss", run_name), "step", "loss", false, {}};
    plot.series.push_back({"loss per step", steps, losses, {}});
    if (steps.size() >= kStepsForMovingMean) {
      const auto window = steps.size() / 50;
      plot.series.push_back({fmt::format("mean of the last {} steps", window), steps, trailing_mean(losses, window), {}});
    }
    write(plot, out_dir, "loss", written);
  }
  if (any_finite(rates)) {
    LinePlot plot{fmt::format("{}: learning rate", run_name), "step", "learning rate", false, {}};
    plot.series.push_back({"learning rate", steps, rates, {}});
    write(plot, out_dir, "learning_rate", written);
  }
  if (!metrics.evaluations.empty()) {
    LinePlot plot{fmt::format("{}: held-out accuracy", run_name), "epoch", "accuracy (%)", false, {}};
    Series top1{"top-1", {}, {}, {}}, top5{"top-5", {}, {}, {}}, mean_class{"mean class accuracy", {}, {}, {}};
    for (const auto& evaluation : metrics.evaluations) {
      for (auto* series : {&top1, &top5, &mean_class}) series->x.push_back(static_cast<double>(evaluation.epoch));
      top1.y.push_back(100 * evaluation.top1);
      top5.y.push_back(100 * evaluation.top5);
      mean_class.y.push_back(100 * evaluation.mean_class_accuracy);
    }
    for (auto* series : {&top1, &top5, &mean_class}) {
      if (any_finite(series->y)) plot.series.push_back(std::move(*series));
    }
    if (!plot.series.empty()) write(plot, out_dir, "accuracy", written);
  }
  return written;
}

}  // namespace skelaug::visual
