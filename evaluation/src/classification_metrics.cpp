#include "skelaug/evaluation/classification_metrics.h"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace skelaug::evaluation {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string shape_of(const at::Tensor& tensor) { return fmt::format("[{}]", fmt::join(tensor.sizes(), ", ")); }

// JSON has no NaN; an undefined number is written as null.
nlohmann::json number_or_null(double value) {
  return std::isnan(value) ? nlohmann::json(nullptr) : nlohmann::json(value);
}

std::string percent(double fraction) { return std::isnan(fraction) ? "-" : fmt::format("{:.2f}%", 100.0 * fraction); }

}  // namespace

ConfusionMatrix::ConfusionMatrix(std::int64_t num_classes) : num_classes_(num_classes) {
  if (num_classes < 1) {
    throw std::invalid_argument(fmt::format("ConfusionMatrix: num_classes must be >= 1, got {}", num_classes));
  }
  matrix_ = at::zeros({num_classes, num_classes}, at::kLong);
}

std::int64_t ConfusionMatrix::top_k() const { return std::min(kTopK, num_classes_); }

void ConfusionMatrix::add(const at::Tensor& logits, const at::Tensor& labels) {
  if (logits.dim() != 2 || logits.size(1) != num_classes_ || !at::isFloatingType(logits.scalar_type())) {
    throw std::invalid_argument(fmt::format("ConfusionMatrix::add: logits must be floating [B, {}], got {} {}",
                                            num_classes_, shape_of(logits), c10::toString(logits.scalar_type())));
  }
  if (labels.dim() != 1 || labels.size(0) != logits.size(0) || at::isFloatingType(labels.scalar_type()) ||
      labels.scalar_type() == at::kBool) {
    throw std::invalid_argument(
        fmt::format("ConfusionMatrix::add: labels must be integer [{}] beside logits {}, got {} {}", logits.size(0),
                    shape_of(logits), shape_of(labels), c10::toString(labels.scalar_type())));
  }
  if (logits.size(0) == 0) return;

  const auto detached = logits.detach();
  if (!at::isfinite(detached).all().item<bool>()) {
    throw std::invalid_argument(
        fmt::format("ConfusionMatrix::add: logits {} contain NaN or infinity", shape_of(logits)));
  }
  const auto true_class = labels.detach().to(at::kCPU, at::kLong).contiguous();
  const auto lowest = true_class.min().item<std::int64_t>();
  const auto highest = true_class.max().item<std::int64_t>();
  if (lowest < 0 || highest >= num_classes_) {
    throw std::invalid_argument(fmt::format("ConfusionMatrix::add: labels must lie in [0, {}), got values in [{}, {}]",
                                            num_classes_, lowest, highest));
  }

  // The top-1 prediction is the first of the top-k, so that a top-1 hit is always a top-k hit even under ties.
  const auto ranked = std::get<1>(detached.topk(top_k(), /*dim=*/1)).to(at::kCPU, at::kLong);
  const auto predicted = ranked.select(1, 0);
  matrix_ += at::bincount(true_class * num_classes_ + predicted, /*weights=*/{}, num_classes_ * num_classes_)
                 .view({num_classes_, num_classes_});
  top_k_hits_ += ranked.eq(true_class.unsqueeze(1)).any(1).sum().item<std::int64_t>();
}

void ConfusionMatrix::merge(const ConfusionMatrix& other) {
  if (other.num_classes_ != num_classes_) {
    throw std::invalid_argument(
        fmt::format("ConfusionMatrix::merge: {} classes cannot merge with {}", num_classes_, other.num_classes_));
  }
  matrix_ += other.matrix_;
  top_k_hits_ += other.top_k_hits_;
}

at::Tensor ConfusionMatrix::counts() const {
  return at::cat({matrix_.reshape({-1}), at::full({1}, top_k_hits_, at::kLong)});
}

void ConfusionMatrix::set_counts(const at::Tensor& counts) {
  const auto expected = num_classes_ * num_classes_ + 1;
  if (counts.dim() != 1 || counts.size(0) != expected || at::isFloatingType(counts.scalar_type())) {
    throw std::invalid_argument(
        fmt::format("ConfusionMatrix::set_counts: expected integer [{}] for {} classes, got {} {}", expected,
                    num_classes_, shape_of(counts), c10::toString(counts.scalar_type())));
  }
  const auto cpu = counts.detach().to(at::kCPU, at::kLong);
  if (cpu.min().item<std::int64_t>() < 0) {
    throw std::invalid_argument("ConfusionMatrix::set_counts: counts must not be negative");
  }
  matrix_ = cpu.narrow(0, 0, expected - 1).reshape({num_classes_, num_classes_}).clone();
  top_k_hits_ = cpu[expected - 1].item<std::int64_t>();
}

std::int64_t ConfusionMatrix::num_samples() const { return matrix_.sum().item<std::int64_t>(); }

double ConfusionMatrix::top1() const {
  const auto samples = num_samples();
  return samples == 0 ? kNaN : static_cast<double>(matrix_.trace().item<std::int64_t>()) / samples;
}

double ConfusionMatrix::top5() const {
  const auto samples = num_samples();
  return samples == 0 ? kNaN : static_cast<double>(top_k_hits_) / samples;
}

std::vector<std::int64_t> ConfusionMatrix::class_counts() const {
  const auto rows = matrix_.sum(1).contiguous();
  return {rows.data_ptr<std::int64_t>(), rows.data_ptr<std::int64_t>() + num_classes_};
}

std::vector<std::optional<double>> ConfusionMatrix::per_class_accuracy() const {
  const auto counts = class_counts();
  const auto diagonal = matrix_.diagonal().contiguous();
  std::vector<std::optional<double>> accuracy(num_classes_);
  for (std::int64_t c = 0; c < num_classes_; ++c) {
    if (counts[c] > 0) accuracy[c] = static_cast<double>(diagonal.data_ptr<std::int64_t>()[c]) / counts[c];
  }
  return accuracy;
}

double ConfusionMatrix::mean_class_accuracy() const {
  double sum = 0.0;
  std::int64_t classes = 0;
  for (const auto& accuracy : per_class_accuracy()) {
    if (!accuracy) continue;
    sum += *accuracy;
    ++classes;
  }
  return classes == 0 ? kNaN : sum / classes;
}

std::int64_t ConfusionMatrix::classes_without_samples() const {
  const auto counts = class_counts();
  return std::count(counts.begin(), counts.end(), std::int64_t{0});
}

std::vector<std::optional<std::int64_t>> ConfusionMatrix::most_confused_with() const {
  const auto matrix = matrix_.contiguous();
  const auto* cells = matrix.data_ptr<std::int64_t>();
  std::vector<std::optional<std::int64_t>> confused(num_classes_);
  for (std::int64_t truth = 0; truth < num_classes_; ++truth) {
    std::int64_t best_count = 0;
    for (std::int64_t predicted = 0; predicted < num_classes_; ++predicted) {
      const auto count = cells[truth * num_classes_ + predicted];
      if (predicted != truth && count > best_count) {
        best_count = count;
        confused[truth] = predicted;
      }
    }
  }
  return confused;
}

std::vector<ConfusionMatrix::ClassRow> ConfusionMatrix::class_rows(const std::vector<std::string>& class_names) const {
  if (static_cast<std::int64_t>(class_names.size()) != num_classes_) {
    throw std::invalid_argument(
        fmt::format("ConfusionMatrix: {} class names given for {} classes", class_names.size(), num_classes_));
  }
  const auto counts = class_counts();
  const auto accuracy = per_class_accuracy();
  const auto confused = most_confused_with();
  const auto matrix = matrix_.contiguous();
  const auto* cells = matrix.data_ptr<std::int64_t>();
  std::vector<ClassRow> rows(static_cast<std::size_t>(num_classes_));
  for (std::int64_t c = 0; c < num_classes_; ++c) {
    const auto* row = cells + c * num_classes_;
    rows[c] = {counts[c], row[c], accuracy[c], confused[c], confused[c] ? row[*confused[c]] : std::int64_t{0}};
  }
  return rows;
}

nlohmann::json ConfusionMatrix::to_json(const std::vector<std::string>& class_names) const {
  const auto class_lines = class_rows(class_names);
  const auto matrix = matrix_.contiguous();
  const auto* cells = matrix.data_ptr<std::int64_t>();

  auto per_class = nlohmann::json::array();
  auto rows = nlohmann::json::array();
  for (std::int64_t c = 0; c < num_classes_; ++c) {
    const auto& line = class_lines[c];
    per_class.push_back({
        {"name", class_names[c]},
        {"count", line.count},
        {"correct", line.correct},
        {"accuracy", line.accuracy ? nlohmann::json(*line.accuracy) : nlohmann::json(nullptr)},
        {"most_confused_with",
         line.most_confused_with ? nlohmann::json(class_names[*line.most_confused_with]) : nlohmann::json(nullptr)},
        {"most_confused_count", line.most_confused_count},
    });
    rows.push_back(std::vector<std::int64_t>(cells + c * num_classes_, cells + (c + 1) * num_classes_));
  }
  return {
      {"num_classes", num_classes_},
      {"samples", num_samples()},
      {"top1", number_or_null(top1())},
      {"top5", number_or_null(top5())},
      {"top_k", top_k()},
      {"mean_class_accuracy", number_or_null(mean_class_accuracy())},
      {"classes_without_samples", classes_without_samples()},
      {"per_class", std::move(per_class)},
      {"matrix", std::move(rows)},
  };
}

std::string ConfusionMatrix::to_table(const std::vector<std::string>& class_names) const {
  const auto class_lines = class_rows(class_names);

  std::size_t name_width = 5;  // "class"
  for (const auto& name : class_names) name_width = std::max(name_width, name.size());

  std::string table =
      fmt::format("{:<{}}  {:>8}  {:>8}  {}\n", "class", name_width, "count", "accuracy", "most confused with");
  for (std::int64_t c = 0; c < num_classes_; ++c) {
    const auto& line = class_lines[c];
    const auto confusion = line.most_confused_with
                               ? fmt::format("{} ({})", class_names[*line.most_confused_with], line.most_confused_count)
                               : "-";
    table += fmt::format("{:<{}}  {:>8}  {:>8}  {}\n", class_names[c], name_width, line.count,
                         line.accuracy ? percent(*line.accuracy) : "-", confusion);
  }
  table += fmt::format("samples {}  top-1 {}  top-{} {}  mean class accuracy {} (over {} of {} classes)\n",
                       num_samples(), percent(top1()), top_k(), percent(top5()), percent(mean_class_accuracy()),
                       num_classes_ - classes_without_samples(), num_classes_);
  return table;
}

}  // namespace skelaug::evaluation
