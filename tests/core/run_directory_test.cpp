#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "skelaug/core/atomic_file.h"
#include "skelaug/core/config.h"
#include "skelaug/core/error.h"
#include "skelaug/core/logging.h"
#include "skelaug/core/metrics_writer.h"
#include "skelaug/core/run_directory.h"

namespace skelaug::core {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Each test works in a fresh temporary directory as its working directory (run directories are relative to it).
class RunDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_ = fs::current_path();
    root_ = fs::temp_directory_path() / ("skelaug_run_test_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
    fs::current_path(root_);
    for (const char* name : {"SLURM_JOB_ID", "SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID"}) ::unsetenv(name);
    schema_.add_int("x.value", 1, 0, 10, "a value");
    add_run_config_keys(schema_);
  }
  void TearDown() override {
    for (const char* name : {"SLURM_JOB_ID", "SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID"}) ::unsetenv(name);
    fs::current_path(previous_);
    fs::remove_all(root_);
  }
  Config config(const std::vector<std::string>& overrides = {}) {
    return parse_config(schema_, "x:\n  value: 4\n", "demo.yaml", "demo", overrides);
  }

  fs::path previous_;
  fs::path root_;
  Schema schema_;
};

TEST_F(RunDirectoryTest, DefaultLayoutHoldsTheResolvedConfig) {
  const auto run = RunDirectory::create(config(), "20260101-000000");
  run.write_config(config());
  EXPECT_EQ(run.root(), fs::path("runs/demo-20260101-000000"));
  EXPECT_TRUE(fs::is_directory(run.root() / "logs"));
  EXPECT_EQ(run.log_file(3), run.root() / "logs" / "rank-3.log");
  EXPECT_EQ(run.metrics_file(), run.root() / "metrics.jsonl");
  const auto again = parse_config(schema_, read(run.config_file()), "config.yaml", "demo");
  EXPECT_TRUE(again == config());
  EXPECT_EQ(again.get_int("x.value"), 4);
}

TEST_F(RunDirectoryTest, SameSecondGetsASuffixAndNameKeyWins) {
  const auto first = RunDirectory::create(config(), "20260101-000000");
  const auto second = RunDirectory::create(config(), "20260101-000000");
  const auto third = RunDirectory::create(config(), "20260101-000000");
  EXPECT_EQ(second.root(), fs::path("runs/demo-20260101-000000-2"));
  EXPECT_EQ(third.root(), fs::path("runs/demo-20260101-000000-3"));
  const auto named = RunDirectory::create(config({"run.name=sweep7"}), "20260101-000000");
  EXPECT_EQ(named.root(), fs::path("runs/sweep7-20260101-000000"));
}

TEST_F(RunDirectoryTest, ExplicitDirectoryIsUsedAsGiven) {
  const auto run = RunDirectory::create(config({"run.dir=out/here"}), "20260101-000000");
  EXPECT_EQ(run.root(), fs::path("out/here"));
  EXPECT_TRUE(fs::is_directory("out/here/logs"));
}

// A requeued Slurm job must find its own directory again, whatever the time: the directory derives from the job.
TEST_F(RunDirectoryTest, UnderSlurmTheJobNamesTheDirectoryAndARequeueFindsIt) {
  ::setenv("SLURM_JOB_ID", "4242", 1);
  const auto first = RunDirectory::create(config(), "20260101-000000");
  EXPECT_EQ(first.root(), fs::path("runs/demo-slurm4242"));
  EXPECT_EQ(RunDirectory::create(config(), "20260102-120000").root(), first.root());  // the requeue
  ::setenv("SLURM_ARRAY_JOB_ID", "77", 1);
  ::setenv("SLURM_ARRAY_TASK_ID", "3", 1);
  EXPECT_EQ(RunDirectory::create(config({"run.name=sweep"}), "20260101-000000").root(), fs::path("runs/sweep-slurm77_3"));
  EXPECT_EQ(RunDirectory::create(config({"run.dir=mine"}), "20260101-000000").root(), fs::path("mine"));  // run.dir wins
}

TEST_F(RunDirectoryTest, AtomicFileLeavesNothingWhenNotCommitted) {
  {
    AtomicFile file("result.bin");
    std::ofstream(file.temp_path()) << "half";
    EXPECT_TRUE(fs::exists(file.temp_path()));
  }
  EXPECT_FALSE(fs::exists("result.bin"));
  EXPECT_TRUE(fs::is_empty(fs::current_path()));
  write_file_atomically("result.bin", "whole");
  EXPECT_EQ(read("result.bin"), "whole");
  EXPECT_TRUE(fs::exists("result.bin"));
  EXPECT_EQ(std::distance(fs::directory_iterator("."), fs::directory_iterator()), 1);
  write_file_atomically("new/folder/result.bin", "made");  // the target's folder is made
  EXPECT_EQ(read("new/folder/result.bin"), "made");
  // A folder that cannot be made (its path runs through a plain file) is the user's mistake, named with the file.
  try {
    write_file_atomically("result.bin/inside.bin", "never");
    FAIL() << "expected a UserError";
  } catch (const UserError& error) {
    EXPECT_NE(std::string(error.what()).find("result.bin/inside.bin: cannot make its folder result.bin"),
              std::string::npos)
        << error.what();
  }
}

TEST_F(RunDirectoryTest, MetricsAreOneJsonObjectPerLine) {
  {
    MetricsWriter metrics("metrics.jsonl");
    metrics.write({{"step", 1}, {"loss", 0.5}});
  }
  MetricsWriter resumed("metrics.jsonl");  // a resumed run appends
  resumed.write({{"step", 2}, {"time", 12.0}});
  std::ifstream in("metrics.jsonl");
  std::string line;
  std::vector<nlohmann::json> records;
  while (std::getline(in, line)) records.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]["step"], 1);
  EXPECT_TRUE(records[0]["time"].is_number());
  EXPECT_EQ(records[1]["time"], 12.0);
}

TEST_F(RunDirectoryTest, LogLinesCarryRankAndSeverityAndRespectTheLevel) {
  configure_logging({1, 4, LogLevel::kInfo, "rank-1.log", false});
  SKELAUG_LOG(kDebug) << "hidden detail";
  SKELAUG_LOG(kWarning) << "visible warning";
  configure_logging({0, 1, LogLevel::kInfo, {}, false});  // closes the file sink
  const auto text = read("rank-1.log");
  EXPECT_EQ(text.find("hidden detail"), std::string::npos);
  EXPECT_NE(text.find(" [r1/4] warning: visible warning\n"), std::string::npos) << text;
  EXPECT_THROW(parse_log_level("loud"), std::runtime_error);
  EXPECT_EQ(parse_log_level("debug"), LogLevel::kDebug);
}

}  // namespace
}  // namespace skelaug::core
