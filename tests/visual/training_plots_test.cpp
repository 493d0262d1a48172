#include "skelaug/visual/training_plots.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "scratch_directory_test.h"
#include "skelaug/core/error.h"
#include "skelaug/visual/training_metrics.h"

namespace skelaug::visual {
namespace {

class TrainingPlotsTest : public testing::ScratchDirectoryTest {
 protected:
  std::string user_error(const std::function<void()>& action) {
    try {
      action();
    } catch (const core::UserError& error) {
      return error.what();
    }
    return "no error";
  }
};

// Lines as the trainer and the held-out reports write them; a resume appends steps 3-4 again after a crash.
constexpr const char* kRecognizerRun =
    R"({"event":"training_set","real_clips":40,"extra_clips":0,"time":1})"
    "\n"
    R"({"event":"train_step","step":1,"epoch":0,"loss":2.5,"seconds":0.1,"samples_per_s":100,"time":2})"
    "\n"
    R"({"event":"train_step","step":2,"epoch":0,"loss":null,"seconds":0.1,"samples_per_s":100,"skipped":"nonfinite","time":3})"
    "\n"
    R"({"event":"train_step","step":3,"epoch":1,"loss":2.0,"seconds":0.1,"samples_per_s":100,"time":4})"
    "\n"
    R"({"event":"evaluation","epoch":1,"step":3,"top1":0.25,"top5":0.75,"mean_class_accuracy":0.2,"time":5})"
    "\n"
    R"({"event":"train_step","step":4,"epoch":1,"loss":1.9,"seconds":0.1,"samples_per_s":100,"time":6})"
    "\n\n"
    R"({"event":"train_step","step":3,"epoch":1,"loss":1.5,"seconds":0.1,"samples_per_s":100,"time":7})"
    "\n"
    R"({"event":"train_step","step":4,"epoch":1,"loss":1.4,"seconds":0.1,"samples_per_s":100,"time":8})"
    "\n"
    R"({"event":"evaluation","epoch":2,"step":4,"top1":0.5,"top5":0.9,"mean_class_accuracy":0.45,"time":9})"
    "\n"
    R"({"event":"trained","step":4,"parameter_sum":1.0,"parameter_l2":2.0,"time":10})"
    "\n";

TEST_F(TrainingPlotsTest, ReadsStepsAndEvaluationsKeepingTheLaterOfRepeatedLines) {
  const auto metrics = read_training_metrics(write("metrics.jsonl", kRecognizerRun));
  ASSERT_EQ(metrics.steps.size(), 4u);
  EXPECT_EQ(metrics.steps[0].loss, 2.5);
  EXPECT_TRUE(std::isnan(metrics.steps[1].loss));  // skipped: null
  EXPECT_EQ(metrics.steps[2].loss, 1.5);            // the resumed run's
  EXPECT_EQ(metrics.steps[3].loss, 1.4);
  EXPECT_FALSE(metrics.has_learning_rate());
  ASSERT_EQ(metrics.evaluations.size(), 2u);
  EXPECT_EQ(metrics.evaluations[1].epoch, 2);
  EXPECT_EQ(metrics.evaluations[1].top5, 0.9);
}

TEST_F(TrainingPlotsTest, WritesLossAndAccuracyPlotsAndLearningRateWhenRecorded) {
  write("metrics.jsonl", kRecognizerRun);
  const auto written = write_training_plots(directory_, directory_ / "plots");
  const std::vector<std::filesystem::path> expected{directory_ / "plots/loss.png", directory_ / "plots/loss.svg",
                                                    directory_ / "plots/accuracy.png",
                                                    directory_ / "plots/accuracy.svg"};
  EXPECT_EQ(written, expected);
  for (const auto& file : expected) EXPECT_GT(std::filesystem::file_size(file), 1000u) << file;

  std::string with_rate;
  for (int step = 1; step <= 150; ++step) {
    with_rate += fmt::format(R"({{"event":"train_step","step":{},"epoch":0,"loss":{},"lr":{}}})"
                             "\n",
                             step, 1.0 / step, 1e-3 * (1 - step / 300.0));
  }
  write("metrics.jsonl", with_rate);
  const auto rate_plots = write_training_plots(directory_, directory_ / "generator");
  ASSERT_EQ(rate_plots.size(), 4u);
  EXPECT_EQ(rate_plots[2], directory_ / "generator/learning_rate.png");
}

TEST_F(TrainingPlotsTest, BadMetricsAreOneUserErrorNamingTheFileAndLine) {
  const auto file = (directory_ / "metrics.jsonl").string();
  EXPECT_NE(user_error([&] { write_training_plots(directory_, directory_ / "plots"); }).find(file + ": cannot open"),
            std::string::npos);
  write("metrics.jsonl", "\n\n");
  EXPECT_NE(user_error([&] { write_training_plots(directory_, directory_ / "plots"); }).find(file + ": empty"),
            std::string::npos);
  write("metrics.jsonl", std::string(kRecognizerRun) + R"({"event":"train_step","step":5,"ep)" + "\n");
  EXPECT_NE(user_error([&] { write_training_plots(directory_, directory_ / "plots"); })
                .find(file + ":12: damaged line, not JSON"),
            std::string::npos);
  write("metrics.jsonl", R"({"event":"train_step","step":"five","epoch":0,"loss":1})" "\n");
  EXPECT_NE(user_error([&] { write_training_plots(directory_, directory_ / "plots"); })
                .find(file + ":1: train_step line without an integer 'step'"),
            std::string::npos);
  write("metrics.jsonl", R"([1, 2])" "\n");
  EXPECT_NE(user_error([&] { write_training_plots(directory_, directory_ / "plots"); }).find(file + ":1: not a JSON object"),
            std::string::npos);
  write("metrics.jsonl", R"({"event":"world","world_size":2})" "\n");
  EXPECT_NE(user_error([&] { write_training_plots(directory_, directory_ / "plots"); }).find(file + ": nothing to plot"),
            std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(directory_ / "plots"));
}

}  // namespace
}  // namespace skelaug::visual
