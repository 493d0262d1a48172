#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "skelaug/augment/study_config.h"

namespace skelaug::core {
class Schema;
}  // namespace skelaug::core

namespace skelaug::augment {

// One step of a study: an ordinary `skelaug` command line. Its id is also where it writes under the study directory
// (a run directory, a sample set, a file), e.g. "f0.1/s1/demo_recognizer/generated".
struct Stage {
  std::string id;
  std::string kind;                // "train recognizer", "train generator", "sample", "evaluate", "noisy copies"
  std::vector<std::string> args;   // after the program name
  int ranks = 1;                   // > 1: launched as `mpirun -np ranks`
  std::filesystem::path output;    // what it writes
  std::vector<std::string> after;  // ids of the stages whose results it reads
  // 0 for a stage that reads no other, else one more than the latest wave it reads: the stages of one wave can run
  // at the same time (a Slurm job array per wave), once every earlier wave is done.
  int wave = 0;
};

// Where one recogniser run of the study sits in its table.
struct ArmRun {
  std::string recognizer;  // the recogniser config's name
  double fraction = 1;
  std::int64_t seed = 0;
  std::string arm;
  std::filesystem::path run;         // its run directory
  std::filesystem::path samples;     // generated arms: the sample set it trains on
  std::filesystem::path evaluation;  // generated arms: that set's generation metrics (JSON)
};

// One (fraction, seed) cell: the subset every run of the cell trains on.
struct Cell {
  double fraction = 1;
  std::int64_t seed = 0;
  std::int64_t real_clips = 0;
  std::filesystem::path directory;
};

struct StudyPlan {
  Study study;
  // Where the plan was made: the stages' relative paths are relative to it (the report resolves them from anywhere).
  std::filesystem::path working_directory;
  std::vector<Cell> cells;
  std::vector<ArmRun> runs;
  std::vector<Stage> stages;  // in an order that runs every stage after the ones it reads
  // Optimiser steps of every arm but `real`, per recogniser and fraction (the generated arm's: its epochs over
  // real + ratio x real clips).
  nlohmann::json matched_steps;

  nlohmann::json to_json() const;
  std::string to_text() const;
  // For scripts: "#<TAB>name<TAB>directory", then one line per stage: "wave<TAB>ranks<TAB>id".
  std::string to_list() const;
};

// The plan of `study`: the data file is read for the subsets' sizes, each recogniser config (through `schema`) for
// its batch size and epochs, which set the matched step counts. core::UserError naming the file or key otherwise.
StudyPlan plan_study(const Study& study, const core::Schema& schema);

// The plan a study's run wrote (<dir>/plan.json), for the report.
StudyPlan read_study_plan(const std::filesystem::path& study_directory);

// How a stage of `ranks` ranks is launched: the words of `mpiexec` followed by "-np <ranks>", or, when a word holds
// "{ranks}", those words with the count put in (e.g. "srun --mpi=pmix -n {ranks}"). Nothing for a single rank.
std::vector<std::string> launcher_words(const std::string& mpiexec, int ranks);

// The stage as one shell command line: "[launcher ]program args...", each argument quoted where a shell needs it.
std::string command_line(const Stage& stage, const std::string& program = "skelaug",
                         const std::string& mpiexec = "mpirun");

}  // namespace skelaug::augment
