#include "skelaug/visual/training_metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "skelaug/core/error.h"

namespace skelaug::visual {
namespace {

constexpr double kAbsent = std::numeric_limits<double>::quiet_NaN();

// Where a line's problems are reported: "<file>:<line>".
struct LineRef {
  const std::filesystem::path& file;
  std::size_t number;
  std::string where() const { return fmt::format("{}:{}", file.string(), number); }
};

std::int64_t integer_field(const nlohmann::json& record, const char* key, const LineRef& line) {
  const auto it = record.find(key);
  if (it == record.end() || !it->is_number_integer()) {
    throw core::UserError(fmt::format("{}: {} line without an integer '{}'", line.where(),
                                      record.value("event", std::string("?")), key));
  }
  return it->get<std::int64_t>();
}

// A number, or NaN where the field is absent or null (a skipped step's loss).
double number_field(const nlohmann::json& record, const char* key, const LineRef& line) {
  const auto it = record.find(key);
  if (it == record.end() || it->is_null()) return kAbsent;
  if (!it->is_number()) {
    throw core::UserError(fmt::format("{}: '{}' is {}, not a number", line.where(), key, it->dump()));
  }
  return it->get<double>();
}

}  // namespace

bool TrainingMetrics::has_learning_rate() const {
  return std::any_of(steps.begin(), steps.end(), [](const Step& s) { return std::isfinite(s.learning_rate); });
}

TrainingMetrics read_training_metrics(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw core::UserError(fmt::format("{}: cannot open the metrics: {}", file.string(), std::strerror(errno)));
  std::map<std::int64_t, TrainingMetrics::Step> steps;
  std::map<std::int64_t, TrainingMetrics::Evaluation> evaluations;
  std::size_t records = 0;
  std::string text;
  for (std::size_t number = 1; std::getline(in, text); ++number) {
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    const LineRef line{file, number};
    nlohmann::json record;
    try {
      record = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& error) {
      throw core::UserError(fmt::format("{}: damaged line, not JSON: {}", line.where(), error.what()));
    }
    if (!record.is_object()) throw core::UserError(fmt::format("{}: not a JSON object", line.where()));
    ++records;
    const auto event = record.value("event", std::string());
    if (event == "train_step") {
      TrainingMetrics::Step step;
      step.step = integer_field(record, "step", line);
      step.epoch = integer_field(record, "epoch", line);
      step.loss = number_field(record, "loss", line);
      step.learning_rate = number_field(record, "lr", line);
      steps[step.step] = step;
    } else if (event == "evaluation") {
      TrainingMetrics::Evaluation evaluation;
      evaluation.epoch = integer_field(record, "epoch", line);
      evaluation.step = integer_field(record, "step", line);
      evaluation.top1 = number_field(record, "top1", line);
      evaluation.top5 = number_field(record, "top5", line);
      evaluation.mean_class_accuracy = number_field(record, "mean_class_accuracy", line);
      evaluations[evaluation.epoch] = evaluation;
    }
  }
  if (in.bad()) throw core::UserError(fmt::format("{}: read failed: {}", file.string(), std::strerror(errno)));
  if (records == 0) throw core::UserError(fmt::format("{}: empty: no metrics were recorded", file.string()));

  TrainingMetrics metrics;
  for (auto& [key, step] : steps) metrics.steps.push_back(step);
  for (auto& [key, evaluation] : evaluations) metrics.evaluations.push_back(evaluation);
  return metrics;
}

}  // namespace skelaug::visual
