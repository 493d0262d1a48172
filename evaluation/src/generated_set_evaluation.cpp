#include "skelaug/evaluation/generated_set_evaluation.h"

#include <fmt/format.h>

#include "skelaug/core/atomic_file.h"
#include "skelaug/core/error.h"
#include "skelaug/core/logging.h"
#include "skelaug/core/preemption.h"
#include "skelaug/data/data_config.h"
#include "skelaug/data/dataset_io.h"
#include "skelaug/data/transforms.h"
#include "skelaug/models/checkpoint_weights.h"

namespace skelaug::evaluation {
namespace {

// subset_indices takes "" as every clip and refuses a named split of a file without splits.
std::vector<std::int64_t> clips_of_split(const data::SkeletonDataset& dataset, const std::string& split,
                                         const std::filesystem::path& file) {
  try {
    return data::subset_indices(dataset, split, 1.0, 0);
  } catch (const core::UserError& error) {
    throw core::UserError(fmt::format("{}: evaluate.real_split: {}", file.string(), error.what()));
  }
}

}  // namespace

GeneratedSetEvaluationOptions generated_set_evaluation_options(const core::Config& config) {
  GeneratedSetEvaluationOptions options;
  options.recognizer = models::recognizer_settings(config);
  options.preprocessing = data::data_options(config).loader;
  options.evaluate = evaluate_settings(config);
  return options;
}

GenerationEvaluation evaluate_generated_set(const GeneratedSetEvaluationOptions& options) {
  const core::PreemptionFlag stop_signals;  // SIGTERM/SIGUSR1 stop it between batches, before any report is written
  const torch::Device device(options.device);
  const auto real = std::make_shared<data::SkeletonDataset>(data::load_dataset(options.real));
  const auto generated = std::make_shared<data::SkeletonDataset>(data::load_dataset(options.generated));
  const auto architecture = options.recognizer.for_dataset(*real);
  const auto model = models::make_configured_recognizer(architecture);
  models::load_checkpoint_weights(options.checkpoint, models::kModelWeights, *model);
  model->to(device);

  const auto real_clips = clips_of_split(*real, options.evaluate.real_split, options.real);
  SKELAUG_LOG(kInfo) << fmt::format("evaluating {} generated clips against {} real clips with {} ({} repetitions)",
                                    generated->size(), real_clips.size(), architecture.architecture,
                                    options.evaluate.protocol.repetitions);
  auto result = evaluate_generation(*model, real, real_clips, generated, {}, options.preprocessing, device,
                                    options.evaluate.protocol);
  core::stop_if_signalled("after the evaluation, before its report; nothing was written");
  if (!options.report.empty()) {
    auto report = result.to_json();
    report["real_file"] = options.real.string();
    report["generated_file"] = options.generated.string();
    report["recognizer"]["checkpoint"] = options.checkpoint.string();
    core::write_file_atomically(options.report, report.dump(2) + "\n");
    auto table = options.report;
    table.replace_extension(".txt");
    core::write_file_atomically(table, result.to_table());
  }
  return result;
}

}  // namespace skelaug::evaluation
