#pragma once

#include <ATen/Tensor.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace skelaug::evaluation {

// Accumulates a recogniser's predictions over an evaluation: the confusion matrix (int64 [C, C], rows = true class,
// columns = predicted class, the prediction being the top-1 class) and the number of samples whose true class is
// among the top-k logits (k = min(5, C)). Every reported number derives from these integers alone, so a distributed
// evaluation merges ranks by summing them: take counts(), all-reduce it with a sum, give it back with set_counts().
class ConfusionMatrix {
 public:
  static constexpr std::int64_t kTopK = 5;

  // Throws std::invalid_argument unless num_classes >= 1.
  explicit ConfusionMatrix(std::int64_t num_classes);

  // logits [B, C] (any floating dtype, any device), labels [B] (integer, any device, values in [0, C)). Throws
  // std::invalid_argument naming the shapes for mismatched shapes, labels out of range or non-finite logits (a
  // diverged recogniser must not be scored silently).
  void add(const at::Tensor& logits, const at::Tensor& labels);
  // Adds another accumulator's counts (same number of classes).
  void merge(const ConfusionMatrix& other);

  // Everything accumulated, as one int64 CPU tensor [C * C + 1]: the matrix row-major, then the top-k hit count.
  // Summing it across ranks and passing the sum to set_counts() merges the ranks.
  at::Tensor counts() const;
  void set_counts(const at::Tensor& counts);

  std::int64_t num_classes() const { return num_classes_; }
  // min(kTopK, C): the k of the "top-5" accuracy.
  std::int64_t top_k() const;
  // int64 CPU [C, C]; rows = true class, columns = predicted.
  const at::Tensor& matrix() const { return matrix_; }
  std::int64_t top_k_hits() const { return top_k_hits_; }
  std::int64_t num_samples() const;

  // Fractions in [0, 1]; NaN when nothing was added.
  double top1() const;
  double top5() const;
  // Mean over the classes that have samples of (correct / samples of that class); NaN if no class has samples.
  double mean_class_accuracy() const;
  // How many classes had no samples (and so were left out of mean_class_accuracy).
  std::int64_t classes_without_samples() const;

  std::vector<std::int64_t> class_counts() const;
  // Per class: correct / samples, or nullopt for a class without samples.
  std::vector<std::optional<double>> per_class_accuracy() const;
  // Per class: the wrongly predicted class it was most often taken for (lowest index on a tie), nullopt if it was
  // never misclassified.
  std::vector<std::optional<std::int64_t>> most_confused_with() const;

  // {num_classes, samples, top1, top5, top_k, mean_class_accuracy, classes_without_samples,
  //  per_class: [{name, count, correct, accuracy, most_confused_with, most_confused_count}], matrix: [[...]]}.
  // Undefined values (NaN, no confusion) are null. Throws std::invalid_argument unless class_names has C entries.
  nlohmann::json to_json(const std::vector<std::string>& class_names) const;
  // A fixed-width text table for a run directory: one row per class (name, count, accuracy, most confused with and
  // how often), then a summary line with top-1, top-k and mean class accuracy.
  std::string to_table(const std::vector<std::string>& class_names) const;

 private:
  // One class's line of to_json() and to_table().
  struct ClassRow {
    std::int64_t count = 0;
    std::int64_t correct = 0;
    std::optional<double> accuracy;
    std::optional<std::int64_t> most_confused_with;
    std::int64_t most_confused_count = 0;
  };
  // Throws std::invalid_argument unless class_names has C entries.
  std::vector<ClassRow> class_rows(const std::vector<std::string>& class_names) const;

  std::int64_t num_classes_;
  at::Tensor matrix_;  // int64 CPU [C, C]
  std::int64_t top_k_hits_ = 0;
};

}  // namespace skelaug::evaluation
