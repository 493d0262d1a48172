#include "skelaug/augment/study_plan.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "skelaug/augment/study_dataset.h"
#include "skelaug/core/config.h"
#include "skelaug/core/error.h"
#include "skelaug/core/text_file.h"
#include "skelaug/data/dataset_io.h"
#include "skelaug/data/distributed_sampler.h"
#include "skelaug/data/transforms.h"
#include "skelaug/training/training_config.h"

namespace skelaug::augment {
namespace {

std::string recognizer_name(const std::string& config) { return std::filesystem::path(config).stem().string(); }

std::string fraction_text(double fraction) { return fmt::format("{:g}", fraction); }

// The sample sets a study's arms train on, each a variant of the cell's generated set.
struct SampleVariant {
  const char* arm;
  const char* set;  // its directory under <cell>/samples and its evaluation's name
};
constexpr SampleVariant kSampleVariants[] = {{"generated", "generated"},
                                             {"generated_classic", "generated"},
                                             {"generated_noise", "generated"},
                                             {"generated_no_refine", "no_refine"},
                                             {"generated_no_dropout", "no_dropout"},
                                             {"generated_label", "label"},
                                             {"generated_only", "generated"},
                                             {"generated_pretrained", "generated"}};

const char* sample_set_of(const std::string& arm) {
  for (const auto& variant : kSampleVariants) {
    if (arm == variant.arm) return variant.set;
  }
  return nullptr;
}

// The stage of a validation study by subject that writes the data every other stage reads.
constexpr const char* kValidationSplitStage = "validation_split";

// Every refinement check off, whatever augment.sample.overrides set.
const std::vector<std::string> kRefinementOff{
    "sample.refine.max_deviation=0", "sample.refine.min_deviation=0", "sample.refine.min_confidence=\"\"",
    "sample.refine.max_bone_error=0", "sample.refine.max_jitter=0",   "sample.refine.max_rounds=0",
    "sample.refine.max_draws=1"};
// The checks that compare a clip with its exemplar, which a label-conditioned generator has not.
// No classic augmentation but in the classic arm, whatever the recogniser config sets: the arms differ in their data.
const std::vector<std::string> kClassicAugmentationsOff{
    "data.augment.rotation_deg=0", "data.augment.scale=0", "data.augment.jitter_std=0",
    "data.augment.mirror_probability=0", "data.augment.speed=0"};
const std::vector<std::string> kExemplarChecksOff{"sample.refine.max_deviation=0", "sample.refine.min_deviation=0",
                                                  "sample.refine.max_bone_error=0"};

void append(std::vector<std::string>& to, const std::vector<std::string>& more) {
  to.insert(to.end(), more.begin(), more.end());
}

// Steps, epochs and batch of one recogniser config under the study's overrides.
struct RecognizerBudget {
  std::int64_t epochs = 0;
  std::int64_t per_rank_batch = 0;
  std::int64_t accumulation = 1;

  std::int64_t steps_per_epoch(std::int64_t clips, int ranks) const {
    const data::DistributedSampler sampler(clips, ranks, 0, 0, true, data::ShardMode::kPad);
    const auto loader_steps = sampler.num_batches(per_rank_batch);
    return (loader_steps + accumulation - 1) / accumulation;
  }
};

RecognizerBudget recognizer_budget(const core::Schema& schema, const std::string& file,
                                   const std::vector<std::string>& overrides, int ranks) {
  const auto config = core::load_config(schema, file, overrides);
  const auto options = training::train_options(config);
  if (options.trainer.max_steps > 0) {
    throw core::UserError(fmt::format("{}: train.max_steps is set; a study sets every arm's budget from "
                                      "train.epochs (leave train.max_steps at 0)",
                                      file));
  }
  RecognizerBudget budget;
  budget.epochs = options.trainer.epochs;
  budget.accumulation = options.trainer.accumulation;
  budget.per_rank_batch = options.per_rank_batch(ranks);
  return budget;
}

}  // namespace

StudyPlan plan_study(const Study& study, const core::Schema& schema) {
  StudyPlan plan;
  plan.study = study;
  plan.working_directory = std::filesystem::current_path();
  plan.matched_steps = nlohmann::json::object();
  const auto dataset = load_study_dataset(study);
  const auto& dir = study.directory;
  const auto path = [](const std::filesystem::path& p) { return p.string(); };
  const auto data_file = path(study_data_file(study));

  // A subject-wise validation study first writes the data with its validation split, which every stage reads.
  if (study.validates_on_subjects()) {
    Stage split{kValidationSplitStage, "validation split",
                {"data", "split", study.data, "--from", study.train_split, "--to", kValidationSplit, "--subjects",
                 fmt::format("{}", fmt::join(study.validation_subjects, ","))},
                1, data_file, {}};
    split.args.push_back("-o");
    split.args.push_back(data_file);
    plan.stages.push_back(std::move(split));
  }

  const bool generated = std::any_of(study.arms.begin(), study.arms.end(),
                                     [](const std::string& arm) { return arm.rfind("generated", 0) == 0; });
  const std::string common_data = "data.train=" + data_file;
  std::vector<std::string> real_data{common_data, "data.train_split=" + study.train_split, "data.test=" + data_file};
  if (study.validates_on_left_out_clips()) {
    append(real_data, {"data.test_split=" + study.train_split, "data.test_unused_only=true"});
  } else {
    append(real_data, {"data.test_split=" + unseen_split(study), "data.test_unused_only=false"});
  }

  if (generated) {
    Stage features{"features", "train recognizer", {"train", "recognizer", "--config", study.feature_config},
                   study.ranks, dir / "features", {}};
    append(features.args, study.feature_overrides);
    append(features.args, {common_data, "data.train_split=" + study.train_split, "data.test=" + data_file,
                           "data.test_split=" + reference_split(study), "data.test_unused_only=false"});
    features.args.push_back("data.fraction=1");
    features.args.push_back("run.dir=" + path(features.output));
    plan.stages.push_back(std::move(features));
  }

  std::vector<RecognizerBudget> budgets;
  for (const auto& recognizer : study.recognizer_configs) {
    budgets.push_back(recognizer_budget(schema, recognizer, study.recognizer_overrides, study.ranks));
  }

  for (const double fraction : study.fractions) {
    for (const auto seed : study.seeds) {
      Cell cell;
      cell.fraction = fraction;
      cell.seed = seed;
      cell.real_clips = static_cast<std::int64_t>(
          data::subset_indices(dataset, study.train_split, fraction, static_cast<std::uint64_t>(seed)).size());
      cell.directory = dir / fmt::format("f{}", fraction_text(fraction)) / fmt::format("s{}", seed);
      const auto& cell_dir = cell.directory;
      const auto cell_id = [&](const std::string& rest) {
        return fmt::format("f{}/s{}/{}", fraction_text(fraction), seed, rest);
      };
      const std::vector<std::string> subset{"data.fraction=" + fraction_text(fraction), fmt::format("run.seed={}", seed)};

      const auto add_generator = [&](const std::string& name, const std::vector<std::string>& extra) {
        Stage stage{cell_id(name), "train generator", {"train", "generator", "--config", study.generator_config},
                    study.ranks, cell_dir / name, {}};
        append(stage.args, study.generator_overrides);
        append(stage.args, extra);
        stage.args.push_back(common_data);
        stage.args.push_back("data.train_split=" + study.train_split);
        append(stage.args, subset);
        stage.args.push_back("run.dir=" + path(stage.output));
        plan.stages.push_back(std::move(stage));
      };
      const bool exemplar_sets = std::any_of(study.arms.begin(), study.arms.end(), [](const std::string& arm) {
        const char* set = sample_set_of(arm);
        return set != nullptr && std::string(set) != "label";
      });
      if (exemplar_sets) add_generator("generator", {});
      if (study.has_arm("generated_label")) {
        auto extra = study.label_generator_overrides;
        extra.push_back("generator.conditioning=label");
        add_generator("generator_label", extra);
      }
      if (study.has_arm("noise") || study.has_arm("generated_noise")) {
        Stage stage{cell_id("noise"), "noisy copies",
                    {"data", "noisy-copies", data_file, "--split", study.train_split, "--fraction",
                     fraction_text(fraction), "--seed", std::to_string(seed), "--copies", std::to_string(study.ratio),
                     "--mean", fmt::format("{:g}", study.noise_mean), "--std", fmt::format("{:g}", study.noise_std)},
                    1, cell_dir / "noise.npz", {}};
        stage.args.push_back("-o");
        stage.args.push_back(path(stage.output));
        plan.stages.push_back(std::move(stage));
      }

      const auto recognizer_stage = [&](std::size_t r, const std::string& arm) {
        const auto name = recognizer_name(study.recognizer_configs[r]);
        Stage stage{cell_id(name + "/" + arm), "train recognizer",
                    {"train", "recognizer", "--config", study.recognizer_configs[r]}, study.ranks,
                    cell_dir / name / arm, {}};
        append(stage.args, study.recognizer_overrides);
        append(stage.args, kClassicAugmentationsOff);
        append(stage.args, real_data);
        append(stage.args, subset);
        stage.args.push_back("run.dir=" + path(stage.output));
        return stage;
      };
      // The real arm first: the first recogniser's real run scores the generated clips in refinement.
      for (std::size_t r = 0; r < study.recognizer_configs.size(); ++r) {
        plan.stages.push_back(recognizer_stage(r, "real"));
        plan.runs.push_back({recognizer_name(study.recognizer_configs[r]), fraction, seed, "real",
                             plan.stages.back().output, {}, {}});
      }
      const auto refining_run = cell_dir / recognizer_name(study.recognizer_configs.front()) / "real";

      // The sample sets and their generation metrics.
      std::vector<std::string> sets_made;
      for (const auto& variant : kSampleVariants) {
        if (!study.has_arm(variant.arm)) continue;
        if (std::find(sets_made.begin(), sets_made.end(), variant.set) != sets_made.end()) continue;
        sets_made.emplace_back(variant.set);
        const bool label = std::string(variant.set) == "label";
        const auto generator = cell_dir / (label ? "generator_label" : "generator");
        Stage stage{cell_id(std::string("samples/") + variant.set), "sample",
                    {"sample", "--config", path(generator / "config.yaml"), "--checkpoint", path(generator),
                     "--per-clip", std::to_string(study.ratio)},
                    study.ranks, cell_dir / "samples" / variant.set,
                    {cell_id(label ? "generator_label" : "generator")}};
        stage.args.push_back("-o");
        stage.args.push_back(path(stage.output));
        append(stage.args, study.sample_overrides);
        stage.args.push_back(fmt::format("sample.seed={}", seed));
        const std::string set = variant.set;
        if (set == "no_refine") {
          append(stage.args, kRefinementOff);
        } else {
          if (set == "no_dropout") stage.args.push_back("sample.dropout=0");
          if (label) append(stage.args, kExemplarChecksOff);
          if (study.refine_with_cell_recognizer) {
            stage.args.push_back("sample.refine.recognizer=" + path(refining_run));
            stage.after.push_back(cell_id(recognizer_name(study.recognizer_configs.front()) + "/real"));
          }
        }
        plan.stages.push_back(std::move(stage));
        Stage evaluate{cell_id(std::string("evaluation/") + variant.set), "evaluate",
                       {"evaluate", "--config", path(dir / "features" / "config.yaml"), "--checkpoint",
                        path(dir / "features" / "best"), "--real", data_file, "--generated",
                        path(cell_dir / "samples" / variant.set)},
                       1, cell_dir / "evaluation" / (set + ".json"),
                       {"features", cell_id(std::string("samples/") + variant.set)}};
        evaluate.args.push_back("-o");
        evaluate.args.push_back(path(evaluate.output));
        // A test study compares with every clip of the file, as the field's action-to-motion metrics do; a
        // validation study with its reference split, so that it reads no test clip.
        if (study.validation) evaluate.args.push_back("evaluate.real_split=" + reference_split(study));
        plan.stages.push_back(std::move(evaluate));
      }

      // The other arms, recogniser by recogniser.
      for (std::size_t r = 0; r < study.recognizer_configs.size(); ++r) {
        const auto name = recognizer_name(study.recognizer_configs[r]);
        const auto& budget = budgets[r];
        const auto extra_clips = study.ratio * cell.real_clips;
        const auto matched = budget.epochs * budget.steps_per_epoch(cell.real_clips + extra_clips, study.ranks);
        const auto real_steps = budget.steps_per_epoch(cell.real_clips, study.ranks);
        // generated_pretrained: its real part takes the real arm's steps, its pretraining the rest of the matched ones.
        const auto pretraining_steps = std::max<std::int64_t>(1, matched - budget.epochs * real_steps);
        plan.matched_steps[name][fraction_text(fraction)] = matched;
        // More, shorter epochs over the real clips alone: evaluated about as often as the generated arm is.
        const auto matched_epochs = (matched + real_steps - 1) / real_steps;
        // Real plus `ratio` extra clips per real clip; with a real share, the real clips repeated and the epochs
        // longer, so the matched steps are set outright. Drawn by class, a class without generated clips leaves
        // the epochs shorter: enough epochs for the real clips alone, cut at the matched steps.
        auto extra_clips_args = [&](const std::vector<std::filesystem::path>& extra) {
          std::vector<std::string> paths;
          for (const auto& file : extra) paths.push_back(path(file));
          std::vector<std::string> args{fmt::format("data.extra=[{}]", fmt::join(paths, ", ")),
                                        fmt::format("data.extra_ratio={}", study.ratio)};
          if (study.real_share > 0) args.push_back(fmt::format("data.real_share={}", study.real_share));
          if (study.extra_by_class) {
            args.push_back("data.extra_by_class=true");
            args.push_back(fmt::format("train.epochs={}", matched_epochs));
          }
          if (study.real_share > 0 || study.extra_by_class) args.push_back(fmt::format("train.max_steps={}", matched));
          return args;
        };
        const std::vector<std::string> matched_budget{
            fmt::format("train.epochs={}", matched_epochs), fmt::format("train.max_steps={}", matched),
            fmt::format("recognizer.evaluate_every_epochs={}",
                        std::max<std::int64_t>(1, std::llround(static_cast<double>(matched_epochs) /
                                                               static_cast<double>(budget.epochs))))};
        for (const auto& arm : study.arms) {
          if (arm == "real") continue;
          auto stage = recognizer_stage(r, arm);
          ArmRun run{name, fraction, seed, arm, stage.output, {}, {}};
          if (arm == "real_matched") {
            append(stage.args, matched_budget);
          } else if (arm == "classic") {
            append(stage.args, study.classic_overrides);
            append(stage.args, matched_budget);
          } else if (arm == "noise") {
            append(stage.args, extra_clips_args({cell_dir / "noise.npz"}));
            stage.after.push_back(cell_id("noise"));
          } else {
            const std::string set = sample_set_of(arm);
            run.samples = cell_dir / "samples" / set;
            run.evaluation = cell_dir / "evaluation" / (set + ".json");
            stage.after.push_back(cell_id("samples/" + set));
            // The generated clips alone (however many refinement kept, each once an epoch), for `steps` optimiser
            // steps; the real subset stays named, so a validation study evaluates on the clips the cell left out.
            const auto generated_alone = [&](std::int64_t steps) {
              return std::vector<std::string>{"data.extra=[" + path(run.samples) + "]", "data.extra_only=true",
                                              fmt::format("train.epochs={}", steps),
                                              fmt::format("train.max_steps={}", steps)};
            };
            if (arm == "generated_only" && !study.validation) {
              // As first planned, before data.extra_only: the studies run with it continue unchanged.
              append(stage.args, {"data.train=" + path(run.samples), "data.train_split=\"\"", "data.fraction=1",
                                  fmt::format("train.epochs={}", matched), fmt::format("train.max_steps={}", matched)});
            } else if (arm == "generated_only") {
              append(stage.args, generated_alone(matched));
            } else if (arm == "generated_pretrained") {
              // Pretrained on the generated clips alone, then trained as the real arm is from those weights: the
              // real clips last, with a fresh schedule, instead of mixed in; the two runs take the matched steps.
              auto pretraining = recognizer_stage(r, "generated_pretraining");
              append(pretraining.args, generated_alone(pretraining_steps));
              pretraining.after = stage.after;
              stage.args.push_back("recognizer.init=" + path(pretraining.output));
              append(stage.args, study.finetune_overrides);
              stage.after.push_back(pretraining.id);
              plan.stages.push_back(std::move(pretraining));
            } else if (arm == "generated_noise") {
              // One pool of generated clips and noisy copies, `ratio` drawn from it per real clip: the two kinds of
              // extra clips together, for the generated arm's steps.
              append(stage.args, extra_clips_args({run.samples, cell_dir / "noise.npz"}));
              stage.after.push_back(cell_id("noise"));
            } else {
              append(stage.args, extra_clips_args({run.samples}));
              // After the recogniser's own settings, which turn the classic augmentations off.
              if (arm == "generated_classic") append(stage.args, study.classic_overrides);
            }
          }
          plan.stages.push_back(std::move(stage));
          plan.runs.push_back(std::move(run));
        }
      }
      plan.cells.push_back(std::move(cell));
    }
  }
  if (study.validates_on_subjects()) {
    for (auto& stage : plan.stages) {
      if (stage.id != kValidationSplitStage && stage.after.empty()) stage.after.push_back(kValidationSplitStage);
    }
  }
  // Each stage's wave, from the waves of the stages it reads (which come before it).
  std::map<std::string, int> wave_of;
  for (auto& stage : plan.stages) {
    for (const auto& before : stage.after) stage.wave = std::max(stage.wave, wave_of.at(before) + 1);
    wave_of[stage.id] = stage.wave;
  }
  return plan;
}

namespace {

bool needs_quotes(const std::string& arg) {
  if (arg.empty()) return true;
  return arg.find_first_of(" \t\n'\"\\$`*?[]{}()<>|&;#~!") != std::string::npos;
}

std::string shell_quoted(const std::string& arg) {
  if (!needs_quotes(arg)) return arg;
  std::string quoted = "'";
  for (const char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

}  // namespace

std::vector<std::string> launcher_words(const std::string& mpiexec, int ranks) {
  if (ranks <= 1) return {};
  std::vector<std::string> words;
  bool placed = false;
  std::istringstream in(mpiexec);
  for (std::string word; in >> word;) {
    for (auto at = word.find("{ranks}"); at != std::string::npos; at = word.find("{ranks}")) {
      word.replace(at, 7, std::to_string(ranks));
      placed = true;
    }
    words.push_back(word);
  }
  if (!placed) {
    words.push_back("-np");
    words.push_back(std::to_string(ranks));
  }
  return words;
}

std::string command_line(const Stage& stage, const std::string& program, const std::string& mpiexec) {
  std::string line;
  for (const auto& word : launcher_words(mpiexec, stage.ranks)) line += shell_quoted(word) + " ";
  line += shell_quoted(program);
  for (const auto& arg : stage.args) line += " " + shell_quoted(arg);
  return line;
}

nlohmann::json StudyPlan::to_json() const {
  nlohmann::json json;
  json["study"] = {{"name", study.name},
                   {"directory", study.directory.string()},
                   {"data", study.data},
                   {"train_split", study.train_split},
                   {"test_split", study.test_split},
                   {"validation", study.validation},
                   {"validation_subjects", study.validation_subjects},
                   {"fractions", study.fractions},
                   {"seeds", study.seeds},
                   {"ratio", study.ratio},
                   {"real_share", study.real_share},
                   {"extra_by_class", study.extra_by_class},
                   {"ranks", study.ranks},
                   {"arms", study.arms},
                   {"recognizers", study.recognizer_configs},
                   {"generator", study.generator_config},
                   {"features", study.feature_config}};
  json["working_directory"] = working_directory.string();
  json["matched_steps"] = matched_steps;
  auto& cells_json = json["cells"] = nlohmann::json::array();
  for (const auto& cell : cells) {
    cells_json.push_back({{"fraction", cell.fraction},
                          {"seed", cell.seed},
                          {"real_clips", cell.real_clips},
                          {"directory", cell.directory.string()}});
  }
  auto& runs_json = json["runs"] = nlohmann::json::array();
  for (const auto& run : runs) {
    runs_json.push_back({{"recognizer", run.recognizer},
                         {"fraction", run.fraction},
                         {"seed", run.seed},
                         {"arm", run.arm},
                         {"run", run.run.string()},
                         {"samples", run.samples.string()},
                         {"evaluation", run.evaluation.string()}});
  }
  auto& stages_json = json["stages"] = nlohmann::json::array();
  for (const auto& stage : stages) {
    stages_json.push_back({{"id", stage.id},
                           {"kind", stage.kind},
                           {"command", command_line(stage)},
                           {"args", stage.args},
                           {"ranks", stage.ranks},
                           {"output", stage.output.string()},
                           {"after", stage.after},
                           {"wave", stage.wave}});
  }
  return json;
}

std::string StudyPlan::to_list() const {
  std::string text = fmt::format("#\t{}\t{}\n", study.name, study.directory.string());
  for (const auto& stage : stages) text += fmt::format("{}\t{}\t{}\n", stage.wave, stage.ranks, stage.id);
  return text;
}

namespace {

std::string validation_text(const Study& study) {
  if (study.validates_on_left_out_clips()) {
    return "; VALIDATION: recognisers evaluate on the training clips each cell leaves out";
  }
  if (study.validates_on_subjects()) {
    return fmt::format("; VALIDATION: recognisers evaluate on the training clips of subjects {}, which no cell trains "
                       "on", fmt::join(study.validation_subjects, ", "));
  }
  return "";
}

}  // namespace

std::string StudyPlan::to_text() const {
  std::string text = fmt::format("study {}: {} stages in {}; {} fraction(s) x {} seed(s), arms {}{}\n", study.name,
                                 stages.size(), study.directory.string(), study.fractions.size(), study.seeds.size(),
                                 fmt::join(study.arms, ", "),
                                 validation_text(study));
  for (const auto& cell : cells) {
    text += fmt::format("  cell fraction {:g}, seed {}: {} real training clips\n", cell.fraction, cell.seed,
                        cell.real_clips);
  }
  for (const auto& [recognizer, by_fraction] : matched_steps.items()) {
    for (const auto& [fraction, steps] : by_fraction.items()) {
      text += fmt::format("  {} at fraction {}: every arm but real trains {} optimiser steps\n", recognizer, fraction,
                          steps.get<std::int64_t>());
    }
  }
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const auto& stage = stages[i];
    text += fmt::format("\n[{}] {} ({}, wave {}) -> {}\n", i + 1, stage.id, stage.kind, stage.wave,
                        stage.output.string());
    if (!stage.after.empty()) text += fmt::format("  after: {}\n", fmt::join(stage.after, ", "));
    text += "  " + command_line(stage) + "\n";
  }
  return text;
}

StudyPlan read_study_plan(const std::filesystem::path& study_directory) {
  const auto file = study_directory / "plan.json";
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(core::read_text_file(file, "study plan"));
    StudyPlan plan;
    plan.working_directory = json.at("working_directory").get<std::string>();
    const auto& study = json.at("study");
    plan.study.name = study.at("name").get<std::string>();
    plan.study.directory = study.at("directory").get<std::string>();
    plan.study.data = (plan.working_directory / study.at("data").get<std::string>()).string();
    plan.study.train_split = study.at("train_split").get<std::string>();
    plan.study.test_split = study.at("test_split").get<std::string>();
    plan.study.validation = study.at("validation").get<bool>();
    plan.study.validation_subjects = study.value("validation_subjects", std::vector<std::int64_t>{});
    plan.study.fractions = study.at("fractions").get<std::vector<double>>();
    plan.study.seeds = study.at("seeds").get<std::vector<std::int64_t>>();
    plan.study.ratio = study.at("ratio").get<std::int64_t>();
    plan.study.real_share = study.value("real_share", 0.0);  // plans written before the key existed
    plan.study.extra_by_class = study.value("extra_by_class", false);
    plan.study.ranks = study.at("ranks").get<int>();
    plan.study.arms = study.at("arms").get<std::vector<std::string>>();
    plan.study.recognizer_configs = study.at("recognizers").get<std::vector<std::string>>();
    plan.study.generator_config = study.at("generator").get<std::string>();
    plan.study.feature_config = study.at("features").get<std::string>();
    plan.matched_steps = json.at("matched_steps");
    // Every path as the stages saw it, so the plan reads the same from any directory.
    const auto resolve = [&](const std::string& path) {
      return path.empty() ? std::filesystem::path() : plan.working_directory / path;
    };
    for (const auto& cell : json.at("cells")) {
      plan.cells.push_back({cell.at("fraction").get<double>(), cell.at("seed").get<std::int64_t>(),
                            cell.at("real_clips").get<std::int64_t>(),
                            resolve(cell.at("directory").get<std::string>())});
    }
    for (const auto& run : json.at("runs")) {
      plan.runs.push_back({run.at("recognizer").get<std::string>(), run.at("fraction").get<double>(),
                           run.at("seed").get<std::int64_t>(), run.at("arm").get<std::string>(),
                           resolve(run.at("run").get<std::string>()), resolve(run.at("samples").get<std::string>()),
                           resolve(run.at("evaluation").get<std::string>())});
    }
    for (const auto& stage : json.at("stages")) {
      plan.stages.push_back({stage.at("id").get<std::string>(), stage.at("kind").get<std::string>(),
                             stage.at("args").get<std::vector<std::string>>(), stage.at("ranks").get<int>(),
                             stage.at("output").get<std::string>(), stage.at("after").get<std::vector<std::string>>(),
                             stage.value("wave", 0)});
    }
    return plan;
  } catch (const nlohmann::json::exception& e) {
    throw core::UserError(fmt::format("{}: not a study plan written by `skelaug augment run`: {}", file.string(),
                                      e.what()));
  }
}

}  // namespace skelaug::augment
