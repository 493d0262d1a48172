#include "skelaug/augment/study_report.h"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "skelaug/augment/copying_check.h"
#include "skelaug/augment/seed_statistics.h"
#include "skelaug/augment/study_dataset.h"
#include "skelaug/augment/study_plan.h"
#include "skelaug/core/atomic_file.h"
#include "skelaug/core/error.h"
#include "skelaug/core/text_file.h"
#include "skelaug/data/dataset_io.h"
#include "skelaug/data/transforms.h"
#include "skelaug/evaluation/value_lists.h"
#include "skelaug/visual/clip_choice.h"
#include "skelaug/visual/clip_render.h"
#include "skelaug/visual/line_plot.h"
#include "skelaug/visual/pictures.h"

namespace skelaug::augment {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::optional<nlohmann::json> read_json(const std::filesystem::path& file) {
  if (!std::filesystem::is_regular_file(file)) return std::nullopt;
  try {
    return nlohmann::json::parse(core::read_text_file(file, "result file"));
  } catch (const nlohmann::json::exception& e) {
    throw core::UserError(fmt::format("{}: damaged result file: {}", file.string(), e.what()));
  }
}

double number(const nlohmann::json& json, const nlohmann::json::json_pointer& pointer) {
  if (!json.contains(pointer) || !json.at(pointer).is_number()) return kNaN;
  return json.at(pointer).get<double>();
}

// One recogniser run's results.
struct RunResult {
  std::int64_t seed = 0;
  double last_top1 = kNaN;
  double best_top1 = kNaN;
  std::int64_t best_epoch = -1;
  std::vector<double> per_class;                     // last epoch, NaN for a class without held-out clips
  std::vector<std::pair<std::int64_t, double>> curve;  // (step, held-out top-1) after every evaluation
  // Generated arms: the set's generation metrics and refinement.
  double fid = kNaN, accuracy = kNaN, diversity = kNaN, multimodality = kNaN, acceptance = kNaN;
  double real_fid = kNaN, real_accuracy = kNaN;
  bool unfinished = false;  // evaluated but still training or stopped: its numbers are not results yet
};

// A generated arm's set: its generation metrics and the refinement's acceptance.
void read_set_metrics(const ArmRun& run, RunResult& result) {
  if (run.evaluation.empty()) return;
  if (const auto metrics_json = read_json(run.evaluation)) {
    result.fid = number(*metrics_json, "/generated/fid/mean"_json_pointer);
    result.accuracy = number(*metrics_json, "/generated/accuracy/mean"_json_pointer);
    result.diversity = number(*metrics_json, "/generated/diversity/mean"_json_pointer);
    result.multimodality = number(*metrics_json, "/generated/multimodality/mean"_json_pointer);
    result.real_fid = number(*metrics_json, "/real/fid/mean"_json_pointer);
    result.real_accuracy = number(*metrics_json, "/real/accuracy/mean"_json_pointer);
  }
  if (const auto manifest = read_json(run.samples / "manifest.json")) {
    result.acceptance = number(*manifest, "/refinement/acceptance"_json_pointer);
  }
}

// What there is of one run: NaN for what is missing, so a generated set's metrics show even before the recognisers
// trained on it finish. A recogniser run counts once it has finished: its last evaluation is at the step of its
// `trained` record (a run still training, or stopped, has evaluations of an epoch that is not its last).
RunResult read_run(const ArmRun& run, std::vector<std::string>* class_names) {
  RunResult result;
  result.seed = run.seed;
  read_set_metrics(run, result);
  const auto last = read_json(run.run / "evaluation" / "last.json");
  const auto best = read_json(run.run / "evaluation" / "best.json");
  if (!last || !best) return result;
  std::optional<std::int64_t> trained_at;
  std::ifstream metrics(run.run / "metrics.jsonl");
  for (std::string line; std::getline(metrics, line);) {
    if (line.find("\"evaluation\"") == std::string::npos && line.find("\"trained\"") == std::string::npos) continue;
    const auto record = nlohmann::json::parse(line, nullptr, false);
    if (record.is_discarded()) continue;
    const auto event = record.value("event", std::string());
    if (event == "trained") trained_at = record.value("step", std::int64_t{-1});
    if (event == "evaluation") {
      result.curve.emplace_back(record.value("step", std::int64_t{0}), record.value("top1", kNaN));
    }
  }
  if (trained_at != last->value("step", std::int64_t{-2})) {
    result.unfinished = true;
    return result;
  }
  result.last_top1 = number(*last, "/top1"_json_pointer);
  result.best_top1 = number(*best, "/top1"_json_pointer);
  result.best_epoch = best->value("epoch", std::int64_t{-1});
  std::vector<std::string> names;
  for (const auto& entry : last->at("per_class")) {
    names.push_back(entry.at("name").get<std::string>());
    result.per_class.push_back(entry.at("accuracy").is_number() ? entry.at("accuracy").get<double>() : kNaN);
  }
  if (class_names->empty()) *class_names = names;
  return result;
}

struct ArmKey {
  std::string recognizer;
  double fraction;
  std::string arm;
  bool operator<(const ArmKey& other) const {
    return std::tie(recognizer, fraction, arm) < std::tie(other.recognizer, other.fraction, other.arm);
  }
};

std::vector<double> finite(const std::vector<double>& values) {
  std::vector<double> kept;
  for (const double value : values) {
    if (std::isfinite(value)) kept.push_back(value);
  }
  return kept;
}

std::string percent(const SeedInterval& interval) {
  if (interval.count == 0 || !std::isfinite(interval.mean)) return "–";
  if (!std::isfinite(interval.half_width)) return fmt::format("{:.1f} (n={})", 100 * interval.mean, interval.count);
  return fmt::format("{:.1f} ± {:.1f} (n={})", 100 * interval.mean, 100 * interval.half_width, interval.count);
}

std::string difference(const SeedInterval& interval) {
  if (interval.count == 0 || !std::isfinite(interval.mean)) return "–";
  if (!std::isfinite(interval.half_width)) return fmt::format("{:+.1f} (n={})", 100 * interval.mean, interval.count);
  return fmt::format("{:+.1f} [{:+.1f}, {:+.1f}]{} (n={})", 100 * interval.mean, 100 * interval.low(),
                     100 * interval.high(), interval.excludes_zero() ? " *" : "", interval.count);
}

nlohmann::json json_number(double value) { return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr); }

nlohmann::json interval_json(const SeedInterval& interval) {
  return {{"mean", json_number(interval.mean)}, {"half_width", json_number(interval.half_width)},
          {"seeds", interval.count}};
}

// A number for the tables, "–" when there is none (a stage not done yet).
std::string fixed(double value, int digits) {
  return std::isfinite(value) ? fmt::format("{:.{}f}", value, digits) : std::string("–");
}

std::string csv_number(double value) { return std::isfinite(value) ? fmt::format("{:.6g}", value) : ""; }

double quantile(const std::vector<double>& values, double q) { return evaluation::linear_quantile(finite(values), q); }

std::string file_safe(const std::string& name) {
  std::string safe;
  for (const char c : name) safe += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return safe;
}

// The plot as <stem>.png and .svg, and its line of the report; where this build draws no pictures, a line saying so.
std::string draw_plot(const visual::LinePlot& plot, const std::filesystem::path& stem, const std::string& what,
                      StudyReportFiles& files) {
  if (!visual::can_draw_pictures()) {
    return fmt::format("({}: not drawn, this skelaug was built without pictures)\n\n", what);
  }
  visual::write_line_plot(plot, stem);
  files.pictures.push_back(stem.string() + ".png");
  return fmt::format("![{}]({}.png) ([SVG]({}.svg))\n\n", what, stem.filename().string(), stem.filename().string());
}

}  // namespace

StudyReportFiles write_study_report(const std::filesystem::path& study_directory, std::filesystem::path output) {
  const auto plan = read_study_plan(study_directory);
  const auto& study = plan.study;
  if (output.empty()) output = study_directory / "report";
  std::filesystem::create_directories(output);
  StudyReportFiles files{output / "report.md", output / "results.csv", output / "report.json", {}};

  std::vector<std::string> class_names;
  std::map<ArmKey, std::vector<RunResult>> results;
  std::map<ArmKey, std::int64_t> planned;
  for (const auto& run : plan.runs) {
    const ArmKey key{run.recognizer, run.fraction, run.arm};
    ++planned[key];
    results[key].push_back(read_run(run, &class_names));
  }
  std::vector<std::string> recognizers;
  for (const auto& config : study.recognizer_configs) recognizers.push_back(std::filesystem::path(config).stem().string());

  // An arm's values minus a baseline arm's, seed by seed (the seed fixes the cell's subset and the initialisation).
  const auto paired_differences_to = [&](const ArmKey& key, const std::string& baseline, const auto& value_of) {
    std::vector<double> differences;
    const auto base = results.find({key.recognizer, key.fraction, baseline});
    const auto arm = results.find(key);
    if (base == results.end() || arm == results.end()) return differences;
    for (const auto& mine : arm->second) {
      for (const auto& theirs : base->second) {
        if (mine.seed == theirs.seed) differences.push_back(value_of(mine) - value_of(theirs));
      }
    }
    return finite(differences);
  };
  const auto values_of = [&](const ArmKey& key, const auto& value_of) {
    std::vector<double> values;
    if (const auto found = results.find(key); found != results.end()) {
      for (const auto& result : found->second) values.push_back(value_of(result));
    }
    return finite(values);
  };
  const auto last = [](const RunResult& r) { return r.last_top1; };
  const auto best = [](const RunResult& r) { return r.best_top1; };
  // An arm's last-epoch difference to a baseline arm, paired by seed: none (count 0) for the baseline itself, or
  // where the study lacks the baseline.
  const auto difference_to = [&](const ArmKey& key, const std::string& baseline) {
    return key.arm == baseline ? SeedInterval{kNaN, kNaN, 0}
                               : t_interval(paired_differences_to(key, baseline, last));
  };
  // The difference to `real_matched` (the same optimiser steps on the real clips alone) tells a gain from the extra
  // clips apart from a gain from the extra steps: reported wherever the study has that arm.
  const bool has_real_matched = study.has_arm("real_matched");

  // The report's text, CSV and JSON, recogniser by recogniser.
  std::string markdown = fmt::format("# Augmentation study `{}`\n\n", study.name);
  markdown += fmt::format(
      "Real data `{}` (training split `{}`, held-out split `{}`); fractions {}; seeds {}; {} generated (or noisy) "
      "clips per real clip; arms {}.\n\n",
      study.data, study.train_split, study.test_split, fmt::join(study.fractions, ", "), fmt::join(study.seeds, ", "),
      study.ratio, fmt::join(study.arms, ", "));
  if (study.real_share > 0) {
    markdown += fmt::format("The noise and generated arms repeat their real clips so that about {:g}% of each epoch's "
                            "clips are real (`augment.real_share`), for the same optimiser steps.\n\n",
                            100 * study.real_share);
  }
  if (study.extra_by_class) {
    markdown += fmt::format("The noise and generated arms draw their extra clips class by class, {} per real clip of "
                            "each class (`augment.extra_by_class`), so refinement's rejections do not change the "
                            "class proportions.\n\n",
                            study.ratio);
  }
  if (study.validates_on_left_out_clips()) {
    markdown += "**Validation study**: every recogniser is evaluated on the training split's clips its cell leaves "
                "out, not on the held-out split; these numbers choose settings, they are not results.\n\n";
  } else if (study.validation) {
    markdown += fmt::format(
        "**Validation study by subject**: the training clips of subjects {} are the validation set; the cells draw "
        "their subsets from the other training subjects, and every recogniser is evaluated on the validation set, not "
        "on the held-out split: settings are chosen on people the recognisers have not trained on; these numbers "
        "choose settings, they are not results.\n\n",
        fmt::join(study.validation_subjects, ", "));
  }
  // A validation study evaluates on the clips its cells leave out: its titles must not read as test results.
  const std::string evaluated_on = study.validation ? "Validation" : "Held-out";
  const std::string best_chosen_on = study.validation ? "the validation clips" : "the test split";
  markdown += evaluated_on +
      " top-1 is the last epoch's, as mean ± 95% t-interval over seeds (n = seeds with results). Each "
      "seed draws its own subset of the training split; a cell's generator, exemplars, noisy copies and refining "
      "recogniser see only that subset. Every arm but `real` trains the same number of optimiser steps (the "
      "generated arm's epochs over real + ratio x real clips); `real` trains the same epochs over its real clips "
      "alone, and `real_matched` shows what the extra steps alone are worth. Differences are paired by seed; * marks "
      "an interval that excludes zero.\n\n";
  for (const auto& cell : plan.cells) {
    if (cell.seed == study.seeds.front()) {
      markdown += fmt::format("- fraction {:g}: {} real training clips per seed\n", cell.fraction, cell.real_clips);
    }
  }
  for (const auto& [recognizer, by_fraction] : plan.matched_steps.items()) {
    for (const auto& [fraction, steps] : by_fraction.items()) {
      markdown += fmt::format("- {} at fraction {}: {} optimiser steps for every arm but `real`\n", recognizer,
                              fraction, steps.get<std::int64_t>());
    }
  }
  std::vector<std::string> unfinished;
  for (const auto& [key, runs] : results) {
    for (const auto& run : runs) {
      if (run.unfinished) unfinished.push_back(fmt::format("{} {} at fraction {:g}, seed {}", key.recognizer, key.arm,
                                                         key.fraction, run.seed));
    }
  }
  if (!unfinished.empty()) {
    markdown += fmt::format("- not finished, so not counted: {}\n", fmt::join(unfinished, "; "));
  }
  markdown += "\n";

  std::string csv =
      "recognizer,fraction,arm,seeds,planned_seeds,last_top1_mean,last_top1_half_width,best_top1_mean,"
      "best_top1_half_width,difference_to_real_mean,difference_to_real_half_width,difference_to_real_matched_mean,"
      "difference_to_real_matched_half_width,fid,accuracy,diversity,"
      "multimodality,acceptance\n";
  nlohmann::json json{
      {"study", plan.to_json().at("study")}, {"class_names", class_names}, {"not_finished", unfinished}};
  auto& json_rows = json["results"] = nlohmann::json::array();

  for (const auto& recognizer : recognizers) {
    markdown += fmt::format("## {}\n\n", recognizer);
    // A Markdown table with one row per arm; cell_text(arm, i) fills the column headed columns[i].
    const auto arm_table = [&](const std::string& title, const std::vector<std::string>& columns,
                               const auto& cell_text) {
      markdown += fmt::format("### {}\n\n| arm |", title);
      for (const auto& column : columns) markdown += fmt::format(" {} |", column);
      markdown += "\n|---|";
      for (std::size_t i = 0; i < columns.size(); ++i) markdown += "---|";
      markdown += "\n";
      for (const auto& arm : study.arms) {
        markdown += fmt::format("| {} |", arm);
        for (std::size_t i = 0; i < columns.size(); ++i) markdown += " " + cell_text(arm, i) + " |";
        markdown += "\n";
      }
      markdown += "\n";
    };
    std::vector<std::string> fraction_columns;
    for (const double fraction : study.fractions) fraction_columns.push_back(fmt::format("{:g}", fraction));
    const auto table = [&](const std::string& title, const auto& cell_text) {
      arm_table(title, fraction_columns, [&](const std::string& arm, std::size_t i) {
        return cell_text(ArmKey{recognizer, study.fractions[i], arm});
      });
    };
    table(evaluated_on + " top-1 (%), last epoch, by fraction of the training clips",
          [&](const ArmKey& key) { return percent(t_interval(values_of(key, last))); });
    for (const std::string baseline : {"real", "real_matched"}) {
      if (baseline == "real_matched" && !has_real_matched) continue;
      table(fmt::format("Difference to `{}` (points), last epoch, paired by seed: mean [95% interval]", baseline),
            [&](const ArmKey& key) {
              return key.arm == baseline ? std::string("–") : difference(difference_to(key, baseline));
            });
    }
    // Every seed's number, so that a reader sees the spread behind each interval (and can pair any two arms).
    std::vector<std::string> seed_columns;
    for (const auto seed : study.seeds) seed_columns.push_back(fmt::format("seed {}", seed));
    for (const double fraction : study.fractions) {
      arm_table(fmt::format("{} top-1 (%) by seed at fraction {:g}, last epoch", evaluated_on, fraction), seed_columns,
                [&](const std::string& arm, std::size_t i) {
                  if (const auto found = results.find(ArmKey{recognizer, fraction, arm}); found != results.end()) {
                    for (const auto& result : found->second) {
                      if (result.seed == study.seeds[i] && std::isfinite(result.last_top1)) {
                        return fixed(100 * result.last_top1, 1);
                      }
                    }
                  }
                  return std::string("–");
                });
    }
    table("Best epoch's top-1 (%): chosen on " + best_chosen_on +
              ", so optimistic; shown only beside papers that report it",
          [&](const ArmKey& key) { return percent(t_interval(values_of(key, best))); });

    const bool any_generated = std::any_of(study.arms.begin(), study.arms.end(), [](const std::string& arm) {
      return arm.rfind("generated", 0) == 0;
    });
    if (any_generated) {
      markdown += "### Generated sets (mean over seeds): FID (real floor) / recogniser accuracy (real) / diversity / "
                  "multimodality / refinement acceptance\n\n| arm | fraction | FID | accuracy | diversity | "
                  "multimodality | acceptance |\n|---|---|---|---|---|---|---|\n";
      for (const auto& arm : study.arms) {
        if (arm.rfind("generated", 0) != 0) continue;
        for (const double fraction : study.fractions) {
          const ArmKey key{recognizer, fraction, arm};
          const auto mean_of = [&](const auto& value_of) { return t_interval(values_of(key, value_of)).mean; };
          markdown += fmt::format(
              "| {} | {:g} | {} ({}) | {} ({}) | {} | {} | {}% |\n", arm, fraction,
              fixed(mean_of([](const RunResult& r) { return r.fid; }), 2),
              fixed(mean_of([](const RunResult& r) { return r.real_fid; }), 2),
              fixed(mean_of([](const RunResult& r) { return r.accuracy; }), 2),
              fixed(mean_of([](const RunResult& r) { return r.real_accuracy; }), 2),
              fixed(mean_of([](const RunResult& r) { return r.diversity; }), 2),
              fixed(mean_of([](const RunResult& r) { return r.multimodality; }), 2),
              fixed(100 * mean_of([](const RunResult& r) { return r.acceptance; }), 1));
        }
      }
      markdown += "\n";
    }

    // Per-class gains over real, points, mean over paired seeds.
    if (!class_names.empty()) {
      for (const double fraction : study.fractions) {
        markdown += fmt::format("### Per-class gain over `real` at fraction {:g} (points, mean over seeds)\n\n| class |",
                                fraction);
        std::vector<std::string> arms;
        for (const auto& arm : study.arms) {
          if (arm != "real") arms.push_back(arm);
        }
        for (const auto& arm : arms) markdown += fmt::format(" {} |", arm);
        markdown += "\n|---|";
        for (std::size_t i = 0; i < arms.size(); ++i) markdown += "---|";
        markdown += "\n";
        for (std::size_t c = 0; c < class_names.size(); ++c) {
          markdown += fmt::format("| {} |", class_names[c]);
          for (const auto& arm : arms) {
            const auto per_class = [c](const RunResult& r) { return c < r.per_class.size() ? r.per_class[c] : kNaN; };
            const auto gains = paired_differences_to(ArmKey{recognizer, fraction, arm}, "real", per_class);
            const auto gain = t_interval(gains);
            markdown += gain.count ? fmt::format(" {:+.1f} |", 100 * gain.mean) : std::string(" – |");
          }
          markdown += "\n";
        }
        markdown += "\n";
      }
    }

    // CSV and JSON rows, and the plot of top-1 against fraction.
    visual::LinePlot by_fraction{fmt::format("{}: top-1, last epoch", recognizer),
                                 "fraction of the training clips", "top-1 (%)", false, {}};
    by_fraction.log_x = study.fractions.size() > 1 &&
                        *std::max_element(study.fractions.begin(), study.fractions.end()) /
                                *std::min_element(study.fractions.begin(), study.fractions.end()) >= 4;
    for (const auto& arm : study.arms) {
      visual::Series series{arm, {}, {}, {}};
      for (const double fraction : study.fractions) {
        const ArmKey key{recognizer, fraction, arm};
        const auto last_interval = t_interval(values_of(key, last));
        const auto best_interval = t_interval(values_of(key, best));
        const auto diff_interval = difference_to(key, "real");
        const auto matched_interval = difference_to(key, "real_matched");
        const auto mean_of = [&](const auto& value_of) { return t_interval(values_of(key, value_of)).mean; };
        const double fid = mean_of([](const RunResult& r) { return r.fid; });
        const double accuracy = mean_of([](const RunResult& r) { return r.accuracy; });
        const double diversity = mean_of([](const RunResult& r) { return r.diversity; });
        const double multimodality = mean_of([](const RunResult& r) { return r.multimodality; });
        const double acceptance = mean_of([](const RunResult& r) { return r.acceptance; });
        csv += fmt::format("{},{:g},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", recognizer, fraction, arm,
                           last_interval.count, planned[key], csv_number(last_interval.mean),
                           csv_number(last_interval.half_width), csv_number(best_interval.mean),
                           csv_number(best_interval.half_width), csv_number(diff_interval.mean),
                           csv_number(diff_interval.half_width), csv_number(matched_interval.mean),
                           csv_number(matched_interval.half_width), csv_number(fid), csv_number(accuracy),
                           csv_number(diversity), csv_number(multimodality), csv_number(acceptance));
        nlohmann::json seeds = nlohmann::json::array();
        if (const auto found = results.find(key); found != results.end()) {
          for (const auto& result : found->second) {
            auto per_class = nlohmann::json::array();
            for (const double accuracy : result.per_class) per_class.push_back(json_number(accuracy));
            seeds.push_back({{"seed", result.seed},
                             {"last_top1", json_number(result.last_top1)},
                             {"best_top1", json_number(result.best_top1)},
                             {"best_epoch", result.best_epoch},
                             {"per_class_accuracy", per_class},
                             {"fid", json_number(result.fid)},
                             {"accuracy", json_number(result.accuracy)},
                             {"diversity", json_number(result.diversity)},
                             {"multimodality", json_number(result.multimodality)},
                             {"acceptance", json_number(result.acceptance)}});
          }
        }
        json_rows.push_back({{"recognizer", recognizer},
                             {"fraction", fraction},
                             {"arm", arm},
                             {"planned_seeds", planned[key]},
                             {"last_top1", interval_json(last_interval)},
                             {"best_top1_chosen_on_test", interval_json(best_interval)},
                             {"difference_to_real", interval_json(diff_interval)},
                             {"difference_to_real_matched", interval_json(matched_interval)},
                             {"seeds", seeds}});
        if (last_interval.count > 0) {
          series.x.push_back(fraction);
          series.y.push_back(100 * last_interval.mean);
          series.error.push_back(std::isfinite(last_interval.half_width) ? 100 * last_interval.half_width : 0.0);
        }
      }
      if (!series.x.empty()) by_fraction.series.push_back(std::move(series));
    }
    if (!by_fraction.series.empty()) {
      const auto stem = output / fmt::format("top1_by_fraction_{}", file_safe(recognizer));
      markdown += draw_plot(by_fraction, stem, "top-1 by fraction", files);
    }

    // Evaluation curves: mean over seeds at each evaluation, per arm.
    for (const double fraction : study.fractions) {
      visual::LinePlot curves{fmt::format("{} at fraction {:g}: mean over seeds", recognizer, fraction),
                              "optimiser step", evaluated_on + " top-1 (%)", false, {}};
      for (const auto& arm : study.arms) {
        const auto found = results.find({recognizer, fraction, arm});
        if (found == results.end()) continue;
        std::map<std::int64_t, std::vector<double>> by_step;
        for (const auto& result : found->second) {
          for (const auto& [step, top1] : result.curve) by_step[step].push_back(top1);
        }
        visual::Series series{arm, {}, {}, {}};
        for (const auto& [step, values] : by_step) {
          series.x.push_back(static_cast<double>(step));
          series.y.push_back(100 * t_interval(values).mean);
        }
        if (!series.x.empty()) curves.series.push_back(std::move(series));
      }
      if (curves.series.empty()) continue;
      const auto stem = output / fmt::format("curves_{}_f{:g}", file_safe(recognizer), fraction);
      markdown += draw_plot(curves, stem, fmt::format("{} curves at fraction {:g}", evaluated_on, fraction), files);
    }
  }

  // The copying check, per sample set the arms train on (the study's own `generated` set first), and the rendered
  // clips, from the `generated` sets.
  nlohmann::json copying = nlohmann::json::array();
  const auto set_directory = [](const Cell& cell, const std::string& name) {
    return cell.directory / "samples" / name;
  };
  std::vector<std::string> set_names;
  for (const auto& run : plan.runs) {
    if (run.samples.empty()) continue;
    const auto name = run.samples.filename().string();
    if (std::find(set_names.begin(), set_names.end(), name) == set_names.end()) set_names.push_back(name);
  }
  std::stable_partition(set_names.begin(), set_names.end(),
                        [](const std::string& name) { return name == "generated"; });
  const auto has_set = [&](const Cell& cell, const std::string& name) {
    return std::filesystem::exists(set_directory(cell, name) / "manifest.json");
  };
  const bool has_sets = std::any_of(plan.cells.begin(), plan.cells.end(), [&](const Cell& cell) {
    return std::any_of(set_names.begin(), set_names.end(), [&](const auto& name) { return has_set(cell, name); });
  });
  if (has_sets) {
    const auto real = load_study_dataset(study);
    CopyingCheck check(real);
    markdown += "## Copying check\n\nFor each sample set (`samples/<set>` of every cell), each generated clip's "
                "root-aligned distance (mean per-joint, metres) to its nearest real clip of the cell's training subset "
                "and to its nearest held-out clip (those the cell's recognisers are evaluated on), beside each real "
                "training clip's own distance to its nearest held-out clip. Generated clips much nearer the held-out "
                "clips than real training clips are would mean the set copies the clips it is judged on.\n\n"
                "| fraction | set | distances | clips | 5% | 25% | median | 75% |\n|---|---|---|---|---|---|---|---|\n";
    std::string plots;  // under the table, which a picture between its rows would cut
    for (const double fraction : study.fractions) {
      for (const auto& set_name : set_names) {
        CopyingDistances distances;
        for (const auto& cell : plan.cells) {
          if (cell.fraction != fraction || !has_set(cell, set_name)) continue;
          const auto subset =
              data::subset_indices(real, study.train_split, fraction, static_cast<std::uint64_t>(cell.seed));
          check.add(data::load_dataset(set_directory(cell, set_name)), subset, held_out_clips(study, real, subset),
                    distances);
        }
        if (distances.generated_to_train.empty()) continue;
        visual::LinePlot cdf{fmt::format("Nearest clips of `{}` at fraction {:g}, all seeds", set_name, fraction),
                             "root-aligned distance to the nearest clip (m)", "share of clips (%)", false, {}};
        nlohmann::json entry{{"fraction", fraction}, {"set", set_name}};
        for (const auto& [name, values] :
             {std::pair<const char*, const std::vector<double>*>{"generated to nearest training clip",
                                                                 &distances.generated_to_train},
              {"generated to nearest held-out clip", &distances.generated_to_test},
              {"real training to nearest held-out clip", &distances.train_to_test}}) {
          const std::vector<double> quantiles{quantile(*values, 0.05), quantile(*values, 0.25),
                                              quantile(*values, 0.5), quantile(*values, 0.75)};
          markdown += fmt::format("| {:g} | {} | {} | {} | {:.3f} | {:.3f} | {:.3f} | {:.3f} |\n", fraction, set_name,
                                  name, values->size(), quantiles[0], quantiles[1], quantiles[2], quantiles[3]);
          entry[name] = {{"clips", values->size()}, {"quantiles", {{"0.05", quantiles[0]}, {"0.25", quantiles[1]},
                                                                    {"0.5", quantiles[2]}, {"0.75", quantiles[3]}}}};
          auto sorted = finite(*values);
          std::sort(sorted.begin(), sorted.end());
          visual::Series series{name, {}, {}, {}};
          for (std::size_t i = 0; i < sorted.size(); ++i) {
            series.x.push_back(sorted[i]);
            series.y.push_back(100.0 * static_cast<double>(i + 1) / static_cast<double>(sorted.size()));
          }
          cdf.series.push_back(std::move(series));
        }
        copying.push_back(std::move(entry));
        // `generated` keeps the name it always had; other sets are named after it.
        const auto stem =
            output / (set_name == "generated" ? fmt::format("copying_f{:g}", fraction)
                                              : fmt::format("copying_f{:g}_{}", fraction, file_safe(set_name)));
        plots += draw_plot(cdf, stem,
                           fmt::format("nearest-clip distances of `{}` at fraction {:g}", set_name, fraction), files);
      }
    }
    markdown += "\n" + plots;

    // One grid per class from the smallest fraction's first cell with a set: real exemplars beside their clips.
    const auto smallest = *std::min_element(study.fractions.begin(), study.fractions.end());
    for (const auto& cell : plan.cells) {
      if (cell.fraction != smallest || !has_set(cell, "generated")) continue;
      const auto generated = data::load_dataset(set_directory(cell, "generated"));
      if (generated.gen_exemplar.empty()) break;
      // Without pictures the grids are HTML pages (they need no library).
      const std::string clip_format = visual::can_draw_pictures() ? "gif" : "html";
      markdown += fmt::format("## Clips\n\nFraction {:g}, seed {}: per class, two real exemplars of the subset, each "
                              "followed by up to three clips generated from it ({}).\n\n",
                              cell.fraction, cell.seed, clip_format == "gif" ? "animated GIF" : "HTML pages");
      const auto subset = data::subset_indices(real, study.train_split, cell.fraction, static_cast<std::uint64_t>(cell.seed));
      std::filesystem::create_directories(output / "clips");
      for (std::size_t c = 0; c < real.class_names.size(); ++c) {
        std::vector<visual::ClipPanel> panels;
        int exemplars = 0;
        for (const auto clip : subset) {
          if (real.labels[static_cast<std::size_t>(clip)] != static_cast<std::int64_t>(c) || exemplars == 2) continue;
          ++exemplars;
          panels.push_back({&real, clip, visual::clip_caption(real, clip)});
          int made = 0;
          for (std::size_t g = 0; g < generated.size() && made < 3; ++g) {
            if (generated.gen_exemplar[g] != clip) continue;
            panels.push_back({&generated, static_cast<std::int64_t>(g),
                              visual::clip_caption(generated, static_cast<std::int64_t>(g))});
            ++made;
          }
        }
        if (panels.empty()) continue;
        const auto file = output / "clips" / fmt::format("{:03d}_{}.{}", c, file_safe(real.class_names[c]), clip_format);
        visual::RenderOptions options;
        options.columns = 4;
        visual::render_clips(panels, options, file);
        files.pictures.push_back(file);
        markdown += fmt::format("- [{}](clips/{})\n", real.class_names[c], file.filename().string());
      }
      markdown += "\n";
      break;
    }
  }
  json["copying"] = copying;

  core::write_file_atomically(files.markdown, markdown);
  core::write_file_atomically(files.csv, csv);
  core::write_file_atomically(files.json, json.dump(2) + "\n");
  return files;
}

}  // namespace skelaug::augment
