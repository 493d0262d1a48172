#include "skelaug/training/held_out_reports.h"

#include <fmt/format.h>

#include <fstream>

#include "skelaug/core/atomic_file.h"
#include "skelaug/core/error.h"
#include "skelaug/core/logging.h"

namespace skelaug::training {
namespace {

// The best top-1 of earlier epochs of this run (a resumed run keeps its best), from <run>/evaluation/best.json.
double previous_best(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file)) return -1;
  try {
    std::ifstream in(file);
    return nlohmann::json::parse(in).at("top1").get<double>();
  } catch (const std::exception& error) {
    throw core::UserError(fmt::format("{}: unreadable evaluation report ({})", file.string(), error.what()));
  }
}

}  // namespace

HeldOutReports::HeldOutReports(const TrainingWorld& world, std::vector<std::string> class_names,
                               std::string architecture)
    : world_(world),
      class_names_(std::move(class_names)),
      architecture_(std::move(architecture)),
      directory_(world.run.root() / "evaluation"),
      best_store_directory_(world.run.root() / "best"),
      best_store_(best_store_directory_, 1) {
  if (world_.is_root()) best_ = previous_best(directory_ / "best.json");
}

bool HeldOutReports::add(const evaluation::ConfusionMatrix& confusion, const TrainingState& state,
                         torch::nn::Module& model) {
  if (!world_.is_root()) return false;
  auto report = confusion.to_json(class_names_);
  report["epoch"] = state.epoch;
  report["step"] = state.global_step;
  report["architecture"] = architecture_;
  const auto table = fmt::format("{} after epoch {} (step {}), {} held-out clips\n{}", architecture_, state.epoch,
                                 state.global_step, confusion.num_samples(), confusion.to_table(class_names_));
  std::filesystem::create_directories(directory_);
  core::write_file_atomically(directory_ / "last.json", report.dump(2) + "\n");
  core::write_file_atomically(directory_ / "last.txt", table);
  const bool improved = confusion.top1() > best_;
  if (improved) {
    best_ = confusion.top1();
    best_store_.save({&model, nullptr, nullptr}, state);
    core::write_file_atomically(directory_ / "best.json", report.dump(2) + "\n");
    core::write_file_atomically(directory_ / "best.txt", table);
  }
  world_.record({{"event", "evaluation"}, {"epoch", state.epoch}, {"step", state.global_step},
                 {"top1", confusion.top1()}, {"top5", confusion.top5()},
                 {"mean_class_accuracy", confusion.mean_class_accuracy()}});
  SKELAUG_LOG(kInfo) << fmt::format(
      "after epoch {}: held-out top-1 {:.2f}%, top-5 {:.2f}%, mean class {:.2f}% (best {:.2f}%{})", state.epoch,
      100 * confusion.top1(), 100 * confusion.top5(), 100 * confusion.mean_class_accuracy(), 100 * best_,
      improved ? ", new" : "");
  return improved;
}

}  // namespace skelaug::training
