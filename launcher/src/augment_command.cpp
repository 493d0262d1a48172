// `skelaug augment plan|run|report`: the low-data augmentation study (real vs real + generated clips, its ablations
// and baselines) from one study config to one report.
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "skelaug/augment/study_plan.h"
#include "skelaug/augment/study_report.h"
#include "skelaug/augment/study_runner.h"
#include "skelaug/core/config.h"
#include "skelaug/core/error.h"
#include "skelaug/launcher/command_registry.h"
#include "skelaug/launcher/config_sections.h"

namespace skelaug::launcher {
namespace {

struct AugmentRequest {
  std::string study_file;
  std::vector<std::string> overrides;
  bool json = false;
  bool list = false;
  std::vector<std::string> stages;
  int ranks = 0;
  std::string mpiexec;
  std::string study_directory;
  std::string output;
};

augment::StudyPlan load_plan(const AugmentRequest& request) {
  auto overrides = request.overrides;
  if (request.ranks > 0) overrides.push_back(fmt::format("augment.ranks={}", request.ranks));
  const auto config = core::load_config(full_schema(), request.study_file, overrides);
  return augment::plan_study(augment::study_from_config(config, request.study_file), full_schema());
}

int print_plan(const AugmentRequest& request) {
  const auto plan = load_plan(request);
  const auto text = request.json ? plan.to_json().dump(2) + "\n" : request.list ? plan.to_list() : plan.to_text();
  std::fputs(text.c_str(), stdout);
  return core::kSuccess;
}

int run(const AugmentRequest& request) {
  const auto plan = load_plan(request);
  augment::StudyRunOptions options;
  options.program = std::filesystem::read_symlink("/proc/self/exe").string();
  if (!request.mpiexec.empty()) {
    options.mpiexec = request.mpiexec;
  } else if (const char* mpiexec = std::getenv("MPIEXEC"); mpiexec != nullptr && *mpiexec != '\0') {
    options.mpiexec = mpiexec;
  }
  options.only = request.stages;
  return augment::run_study(plan, options);
}

int report(const AugmentRequest& request) {
  const auto files = augment::write_study_report(request.study_directory, request.output);
  for (const auto& file : {files.markdown, files.csv, files.json}) std::fputs((file.string() + "\n").c_str(), stdout);
  std::fputs(fmt::format("{} pictures in {}\n", files.pictures.size(), files.markdown.parent_path().string()).c_str(),
             stdout);
  return core::kSuccess;
}

}  // namespace

void register_augment_commands(CommandRegistry& registry, const GlobalOptions&) {
  auto* group = registry.group(
      "augment",
      "The augmentation study: recognisers on real clips against real + generated clips (and baselines), by "
      "fraction of the training clips, over seeds");
  auto request = std::make_shared<AugmentRequest>();
  const auto add_study = [&](CLI::App* command) {
    command->add_option("study", request->study_file, "the study config (an `augment:` section)")->required();
    command->add_option("overrides", request->overrides, "key.path=value overrides of the study config");
    command->add_option("--ranks", request->ranks, "MPI ranks of every training and sampling stage (augment.ranks)")
        ->check(CLI::Range(1, 4096));
  };
  auto* plan = registry.add(group, "plan",
                            "Every stage of a study as an ordinary skelaug command line, with its output and the "
                            "stages it reads: skelaug augment plan STUDY.yaml [--json | --list]",
                            [request] { return print_plan(*request); });
  add_study(plan);
  auto* json = plan->add_flag("--json", request->json, "the plan as JSON");
  plan->add_flag("--list", request->list,
                 "for scripts, tab-separated: '#', the study's name and directory; then one line per stage: its wave "
                 "(a wave's stages read only earlier waves' results), ranks and id")
      ->excludes(json);
  auto* run_command = registry.add(
      group, "run",
      "Run a study's stages on this machine, skipping those already done (an interrupted study continues): skelaug "
      "augment run STUDY.yaml [--ranks N]",
      [request] { return run(*request); });
  add_study(run_command);
  run_command->add_option("--mpiexec", request->mpiexec,
                          "how stages of several ranks are launched (default: $MPIEXEC, else mpirun), followed by "
                          "-np N unless a word holds {ranks}, e.g. 'srun --mpi=pmix -n {ranks}'");
  run_command
      ->add_option("--stage", request->stages,
                   "run only this stage (repeat, or a,b,c), once the stages it reads have finished: one task of a "
                   "Slurm array")
      ->delimiter(',');
  auto* report_command = registry.add(
      group, "report",
      "A study's tables (Markdown, CSV, JSON), plots and rendered clips: skelaug augment report STUDY_DIR [-o DIR]",
      [request] { return report(*request); });
  report_command->add_option("study_dir", request->study_directory, "the study's directory (augment.dir)")
      ->required();
  report_command->add_option("-o,--output", request->output, "where the report goes (default STUDY_DIR/report)");
}

}  // namespace skelaug::launcher
