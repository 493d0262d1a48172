#include "skelaug/augment/study_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <fstream>
#include <set>

#include "skelaug/augment/stage_process.h"
#include "skelaug/core/atomic_file.h"
#include "skelaug/core/error.h"
#include "skelaug/core/text_file.h"

namespace skelaug::augment {
namespace {

std::filesystem::path record_of(const StudyPlan& plan, const Stage& stage) {
  return plan.study.directory / "stages" / (stage.id + ".json");
}

std::filesystem::path log_of(const StudyPlan& plan, const Stage& stage) {
  return plan.study.directory / "logs" / (stage.id + ".log");
}

// Whether `stage` finished in an earlier run of the study, with the same command line, and its output is still there.
bool finished_before(const StudyPlan& plan, const Stage& stage) {
  const auto record = record_of(plan, stage);
  if (!std::filesystem::exists(record)) return false;
  if (!std::filesystem::exists(stage.output)) {
    // Deleted or moved aside (to run it again with a changed build): the record alone is no result.
    std::fputs(fmt::format("study {}: stage {} finished before, but {} is gone: it runs again\n", plan.study.name,
                           stage.id, stage.output.string())
                   .c_str(),
               stdout);
    return false;
  }
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(core::read_text_file(record, "stage record"));
  } catch (const nlohmann::json::exception& e) {
    throw core::UserError(fmt::format("{}: damaged stage record ({}); delete it to run the stage again",
                                      record.string(), e.what()));
  }
  if (json.value("command", std::string()) != command_line(stage)) {
    throw core::UserError(fmt::format(
        "stage {}: finished before with another command line ({}); its results belong to other settings: delete {} "
        "and {} to run it again, or use another augment.dir",
        stage.id, record.string(), stage.output.string(), record.string()));
  }
  return true;
}

std::string last_lines(const std::filesystem::path& file, std::size_t count) {
  std::ifstream in(file);
  std::deque<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
    if (lines.size() > count) lines.pop_front();
  }
  std::string text;
  for (const auto& line : lines) text += "    " + line + "\n";
  return text;
}

std::string clock_text(double seconds) {
  const auto total = static_cast<long long>(seconds);
  return fmt::format("{}:{:02d}:{:02d}", total / 3600, static_cast<int>(total / 60 % 60), static_cast<int>(total % 60));
}

}  // namespace

int run_study(const StudyPlan& plan, const StudyRunOptions& options) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  // The stages to run: all, or those named (each after every stage it reads has finished).
  std::set<std::string> chosen(options.only.begin(), options.only.end());
  const auto find_stage = [&](const std::string& id) {
    return std::find_if(plan.stages.begin(), plan.stages.end(), [&](const Stage& stage) { return stage.id == id; });
  };
  for (const auto& id : chosen) {
    const auto named = find_stage(id);
    if (named == plan.stages.end()) {
      throw core::UserError(fmt::format("--stage {}: study {} has no such stage (skelaug augment plan lists them)", id,
                                        plan.study.name));
    }
    for (const auto& before : named->after) {
      const auto reads = find_stage(before);
      if (chosen.count(before) == 0 && !finished_before(plan, *reads)) {
        throw core::UserError(fmt::format("--stage {}: it reads stage {}, which has not finished (no {})", id, before,
                                          record_of(plan, *reads).string()));
      }
    }
  }
  std::filesystem::create_directories(plan.study.directory);
  core::write_file_atomically(plan.study.directory / "plan.json", plan.to_json().dump(2) + "\n");

  const auto total = plan.stages.size();
  std::size_t skipped = 0;
  for (std::size_t i = 0; i < total; ++i) {
    const auto& stage = plan.stages[i];
    const auto position = fmt::format("[{}/{}]", i + 1, total);
    if (!chosen.empty() && chosen.count(stage.id) == 0) continue;
    if (finished_before(plan, stage)) {
      ++skipped;
      continue;
    }
    std::fputs(fmt::format("study {} {} {}: {} ... ({} done before, {} elapsed)\n", plan.study.name, position,
                           stage.id, stage.kind, skipped, clock_text(elapsed()))
                   .c_str(),
               stdout);
    std::fflush(stdout);
    auto argv = launcher_words(options.mpiexec, stage.ranks);
    argv.push_back(options.program);
    argv.insert(argv.end(), stage.args.begin(), stage.args.end());
    const auto log = log_of(plan, stage);
    // Commands that write one file (-o FILE) expect its folder to exist.
    if (stage.output.has_parent_path()) std::filesystem::create_directories(stage.output.parent_path());
    const auto stage_start = elapsed();
    const int code = run_process(argv, log);
    const auto seconds = elapsed() - stage_start;
    if (code == core::kPreempted) {
      std::fputs(fmt::format("study {} {} {}: stopped by a signal after {:.0f} s; run the study again to continue "
                             "(log: {})\n",
                             plan.study.name, position, stage.id, seconds, log.string())
                     .c_str(),
                 stdout);
      return core::kPreempted;
    }
    if (code != 0) {
      std::fputs(fmt::format("study {} {} {}: FAILED with exit code {} after {:.0f} s; the study stops here.\n"
                             "  command: {}\n  log: {} (last lines below)\n{}",
                             plan.study.name, position, stage.id, code, seconds, command_line(stage), log.string(),
                             last_lines(log, 15))
                     .c_str(),
                 stdout);
      return code;
    }
    const nlohmann::json record{{"id", stage.id},
                                {"command", command_line(stage)},
                                {"seconds", seconds},
                                {"output", stage.output.string()}};
    std::filesystem::create_directories(record_of(plan, stage).parent_path());
    core::write_file_atomically(record_of(plan, stage), record.dump(2) + "\n");
    std::fputs(fmt::format("study {} {} {}: done in {:.0f} s\n", plan.study.name, position, stage.id, seconds).c_str(),
               stdout);
    std::fflush(stdout);
  }
  if (chosen.empty()) {
    std::fputs(fmt::format("study {}: all {} stages done ({} done before) in {}; the report: skelaug augment report {}\n",
                           plan.study.name, total, skipped, clock_text(elapsed()), plan.study.directory.string())
                   .c_str(),
               stdout);
  } else {
    std::fputs(fmt::format("study {}: {} named stage(s) done ({} done before) in {}\n", plan.study.name,
                           chosen.size(), skipped, clock_text(elapsed()))
                   .c_str(),
               stdout);
  }
  return 0;
}

}  // namespace skelaug::augment
