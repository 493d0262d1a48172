// ConfusionMatrix: known matrices give known top-1 / top-5 / mean class accuracy; merging by summed counts equals one
// accumulator; bad inputs are refused; the JSON and the table say what the matrix says.
#include "skelaug/evaluation/classification_metrics.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace skelaug::evaluation {
namespace {

// Logits [1, C] ranking the classes in `order` first (highest logit first); classes not listed come after them.
at::Tensor ranked_logits(std::int64_t num_classes, const std::vector<std::int64_t>& order) {
  auto logits = at::full({1, num_classes}, -100.0, at::kFloat);
  for (std::size_t rank = 0; rank < order.size(); ++rank) logits[0][order[rank]] = static_cast<float>(10.0 - rank);
  return logits;
}

// (true class, predicted class) pairs as a batch of logits and labels.
std::pair<at::Tensor, at::Tensor> batch_of(
    std::int64_t num_classes, const std::vector<std::pair<std::int64_t, std::int64_t>>& truth_and_prediction) {
  std::vector<at::Tensor> rows;
  std::vector<std::int64_t> labels;
  for (const auto& [truth, predicted] : truth_and_prediction) {
    rows.push_back(ranked_logits(num_classes, {predicted}));
    labels.push_back(truth);
  }
  return {at::cat(rows), at::tensor(labels, at::kLong)};
}

// Matrix [[2, 1, 0], [0, 1, 1], [0, 0, 1]].
const std::vector<std::pair<std::int64_t, std::int64_t>> kThreeClassPairs = {{0, 0}, {0, 0}, {0, 1},
                                                                             {1, 1}, {1, 2}, {2, 2}};

TEST(ConfusionMatrix, KnownMatrixGivesKnownAccuracies) {
  ConfusionMatrix confusion(3);
  const auto [logits, labels] = batch_of(3, kThreeClassPairs);
  confusion.add(logits, labels);

  const auto expected = at::tensor(std::vector<std::int64_t>{2, 1, 0, 0, 1, 1, 0, 0, 1}, at::kLong).view({3, 3});
  EXPECT_TRUE(confusion.matrix().equal(expected));
  EXPECT_EQ(confusion.num_samples(), 6);
  EXPECT_DOUBLE_EQ(confusion.top1(), 4.0 / 6.0);
  EXPECT_EQ(confusion.top_k(), 3);  // k clipped to C: every sample is a top-"5" hit
  EXPECT_DOUBLE_EQ(confusion.top5(), 1.0);
  EXPECT_DOUBLE_EQ(confusion.mean_class_accuracy(), (2.0 / 3.0 + 1.0 / 2.0 + 1.0) / 3.0);
  EXPECT_EQ(confusion.classes_without_samples(), 0);
  EXPECT_EQ(confusion.class_counts(), (std::vector<std::int64_t>{3, 2, 1}));
  const auto confused = confusion.most_confused_with();
  ASSERT_TRUE(confused[0] && confused[1]);
  EXPECT_EQ(*confused[0], 1);
  EXPECT_EQ(*confused[1], 2);
  EXPECT_FALSE(confused[2]);
}

TEST(ConfusionMatrix, TopFiveCountsTheTrueClassAmongTheFiveHighestLogits) {
  ConfusionMatrix confusion(8);
  // True class 3 ranked 1st, 5th, 6th and 2nd.
  confusion.add(at::cat({ranked_logits(8, {3, 0, 1, 2, 4}), ranked_logits(8, {0, 1, 2, 4, 3}),
                         ranked_logits(8, {0, 1, 2, 4, 5, 3}), ranked_logits(8, {7, 3})}),
                at::full({4}, 3, at::kLong));
  EXPECT_EQ(confusion.top_k(), 5);
  EXPECT_DOUBLE_EQ(confusion.top1(), 0.25);
  EXPECT_DOUBLE_EQ(confusion.top5(), 0.75);
  EXPECT_EQ(confusion.top_k_hits(), 3);
}

TEST(ConfusionMatrix, ClassesWithoutSamplesAreLeftOutOfTheMeanAndCounted) {
  ConfusionMatrix confusion(4);
  const auto [logits, labels] = batch_of(4, {{0, 0}, {0, 3}, {2, 2}, {2, 2}, {2, 2}, {2, 0}});
  confusion.add(logits, labels);
  EXPECT_EQ(confusion.classes_without_samples(), 2);
  EXPECT_DOUBLE_EQ(confusion.mean_class_accuracy(), (0.5 + 0.75) / 2.0);
  EXPECT_DOUBLE_EQ(confusion.top1(), 4.0 / 6.0);

  const auto json = confusion.to_json({"a", "b", "c", "d"});
  EXPECT_TRUE(json["per_class"][1]["accuracy"].is_null());
  EXPECT_TRUE(json["per_class"][1]["most_confused_with"].is_null());
  EXPECT_EQ(json["per_class"][0]["most_confused_with"], "d");
  EXPECT_EQ(json["classes_without_samples"], 2);
}

TEST(ConfusionMatrix, SummedCountsMergeLikeOneAccumulator) {
  const auto [logits, labels] = batch_of(3, kThreeClassPairs);
  ConfusionMatrix whole(3);
  whole.add(logits, labels);

  // Two "ranks", each with half of the batch; the all-reduce is a plain sum of their counts.
  ConfusionMatrix first(3), second(3);
  first.add(logits.narrow(0, 0, 2), labels.narrow(0, 0, 2));
  second.add(logits.narrow(0, 2, 4), labels.narrow(0, 2, 4));
  const auto summed = first.counts() + second.counts();
  EXPECT_EQ(summed.scalar_type(), at::kLong);
  EXPECT_EQ(summed.size(0), 3 * 3 + 1);
  ConfusionMatrix reduced(3);
  reduced.set_counts(summed);
  EXPECT_TRUE(reduced.matrix().equal(whole.matrix()));
  EXPECT_EQ(reduced.top_k_hits(), whole.top_k_hits());
  EXPECT_EQ(reduced.to_json({"a", "b", "c"}), whole.to_json({"a", "b", "c"}));

  first.merge(second);
  EXPECT_TRUE(first.counts().equal(whole.counts()));
}

TEST(ConfusionMatrix, EmptyAccumulatorHasUndefinedAccuracies) {
  ConfusionMatrix confusion(2);
  confusion.add(at::zeros({0, 2}), at::zeros({0}, at::kLong));
  EXPECT_TRUE(std::isnan(confusion.top1()));
  EXPECT_TRUE(std::isnan(confusion.mean_class_accuracy()));
  const auto json = confusion.to_json({"x", "y"});
  EXPECT_TRUE(json["top1"].is_null());
  EXPECT_TRUE(json["mean_class_accuracy"].is_null());
  EXPECT_EQ(json["samples"], 0);
}

TEST(ConfusionMatrix, BadInputsAreRefused) {
  EXPECT_THROW(ConfusionMatrix(0), std::invalid_argument);
  ConfusionMatrix confusion(3);
  EXPECT_THROW(confusion.add(at::zeros({2, 4}), at::zeros({2}, at::kLong)), std::invalid_argument);  // 4 classes
  EXPECT_THROW(confusion.add(at::zeros({2, 3}), at::zeros({3}, at::kLong)), std::invalid_argument);  // 3 labels
  EXPECT_THROW(confusion.add(at::zeros({2, 3}), at::zeros({2}, at::kFloat)), std::invalid_argument);
  EXPECT_THROW(confusion.add(at::zeros({2, 3}), at::full({2}, 3, at::kLong)), std::invalid_argument);
  EXPECT_THROW(confusion.add(at::zeros({2, 3}), at::full({2}, -1, at::kLong)), std::invalid_argument);
  EXPECT_THROW(confusion.add(at::full({2, 3}, NAN), at::zeros({2}, at::kLong)), std::invalid_argument);
  EXPECT_THROW(confusion.set_counts(at::zeros({9}, at::kLong)), std::invalid_argument);
  EXPECT_THROW(confusion.merge(ConfusionMatrix(4)), std::invalid_argument);
  EXPECT_THROW(confusion.to_json({"a", "b"}), std::invalid_argument);
  EXPECT_THROW(confusion.to_table({"a", "b", "c", "d"}), std::invalid_argument);
  EXPECT_EQ(confusion.num_samples(), 0);  // nothing half-added
}

TEST(ConfusionMatrix, JsonAndTableReportTheMatrix) {
  ConfusionMatrix confusion(3);
  const auto [logits, labels] = batch_of(3, kThreeClassPairs);
  confusion.add(logits.to(at::kDouble), labels.to(at::kInt));  // any floating logits, any integer labels
  const std::vector<std::string> names = {"walk", "run", "jump_in_place"};

  const auto json = confusion.to_json(names);
  EXPECT_EQ(json["num_classes"], 3);
  EXPECT_EQ(json["samples"], 6);
  EXPECT_DOUBLE_EQ(json["top1"].get<double>(), 4.0 / 6.0);
  EXPECT_DOUBLE_EQ(json["top5"].get<double>(), 1.0);
  EXPECT_EQ(json["top_k"], 3);
  EXPECT_EQ(json["matrix"], nlohmann::json::parse("[[2,1,0],[0,1,1],[0,0,1]]"));
  EXPECT_EQ(json["per_class"][0]["name"], "walk");
  EXPECT_EQ(json["per_class"][0]["count"], 3);
  EXPECT_EQ(json["per_class"][0]["correct"], 2);
  EXPECT_EQ(json["per_class"][0]["most_confused_with"], "run");
  EXPECT_EQ(json["per_class"][0]["most_confused_count"], 1);
  EXPECT_DOUBLE_EQ(json["per_class"][1]["accuracy"].get<double>(), 0.5);

  const auto table = confusion.to_table(names);
  EXPECT_NE(table.find("walk                  3    66.67%  run (1)\n"), std::string::npos) << table;
  EXPECT_NE(table.find("jump_in_place         1   100.00%  -\n"), std::string::npos) << table;
  EXPECT_NE(table.find("top-1 66.67%  top-3 100.00%"), std::string::npos) << table;
}

}  // namespace
}  // namespace skelaug::evaluation
