// `skelaug evaluate`: the generation metrics (FID, recogniser accuracy, diversity, multimodality, each over repeated
// draws with a 95% interval) and fidelity statistics of a generated set against a real one, through a fixed feature
// recogniser trained with `skelaug train recognizer` (architecture a2m_gru for the field's protocol).
#include <fmt/format.h>
#include <torch/torch.h>

#include <cstdio>

#include "skelaug/core/atomic_file.h"
#include "skelaug/core/config.h"
#include "skelaug/core/config_schema.h"
#include "skelaug/core/error.h"
#include "skelaug/core/logging.h"
#include "skelaug/data/data_config.h"
#include "skelaug/data/dataset_io.h"
#include "skelaug/launcher/command_registry.h"
#include "skelaug/launcher/config_sections.h"
#include "skelaug/launcher/evaluate.h"
#include "skelaug/models/recognizer_config.h"
#include "skelaug/training/checkpoint.h"
#include "skelaug/training/generation_evaluation.h"

namespace skelaug::launcher {
namespace {

struct EvaluateRequest {
  std::string config_file;
  std::string checkpoint;
  std::string real;
  std::string generated;
  std::string output;
  std::string device = "cpu";
  std::vector<std::string> overrides;
};

// subset_indices takes "" as every clip and refuses a named split of a file without splits.
std::vector<std::int64_t> clips_of_split(const data::SkeletonDataset& dataset, const std::string& split,
                                         const std::string& file) {
  try {
    return data::subset_indices(dataset, split, 1.0, 0);
  } catch (const core::UserError& error) {
    throw core::UserError(fmt::format("{}: evaluate.real_split: {}", file, error.what()));
  }
}

int evaluate(const EvaluateRequest& request) {
  const auto config = core::load_config(full_schema(), request.config_file, request.overrides);
  const torch::Device device(request.device);
  const auto real = std::make_shared<data::SkeletonDataset>(data::load_dataset(request.real));
  const auto generated = std::make_shared<data::SkeletonDataset>(data::load_dataset(request.generated));
  const auto options = models::recognizer_options(config, *real);
  std::shared_ptr<models::RecognizerImpl> model;
  try {
    model = models::make_recognizer(options);
  } catch (const std::invalid_argument& error) {
    throw core::UserError(fmt::format("{}: recognizer: {}", request.config_file, error.what()));
  }
  training::CheckpointStore::load_weights(request.checkpoint, "model", *model);
  model->to(device);

  training::GenerationEvaluationOptions protocol;
  protocol.repetitions = static_cast<int>(config.get_int("evaluate.repetitions"));
  protocol.diversity_pairs = config.get_int("evaluate.diversity_pairs");
  protocol.multimodality_pairs = config.get_int("evaluate.multimodality_pairs");
  protocol.seed = static_cast<std::uint64_t>(config.get_int("evaluate.seed"));
  const auto real_clips = clips_of_split(*real, config.get_string("evaluate.real_split"), request.real);
  // The clips are prepared exactly as the recogniser's training prepared them (its run's data section).
  const auto preprocessing = data::loader_options(config);
  SKELAUG_LOG(kInfo) << fmt::format("evaluating {} generated clips against {} real clips with {} ({} repetitions)",
                                    generated->size(), real_clips.size(), options.architecture, protocol.repetitions);
  const auto result = training::evaluate_generation(*model, real, real_clips, generated, {}, preprocessing, device,
                                                    protocol);
  auto report = result.to_json();
  report["real_file"] = request.real;
  report["generated_file"] = request.generated;
  report["recognizer"]["checkpoint"] = request.checkpoint;
  const auto table = result.to_table();
  if (!request.output.empty()) {
    core::write_file_atomically(request.output, report.dump(2) + "\n");
    std::filesystem::path text = request.output;
    text.replace_extension(".txt");
    core::write_file_atomically(text, table);
  }
  std::fputs(table.c_str(), stdout);
  return core::kSuccess;
}

}  // namespace

void add_evaluate_config_keys(core::Schema& schema) {
  schema.add_int("evaluate.repetitions", 20, 1, 100000, "repetitions of the metric draws (the protocol's 20)")
      .add_int("evaluate.diversity_pairs", 200, 1, 1000000, "random pairs for diversity")
      .add_int("evaluate.multimodality_pairs", 20, 1, 1000000, "same-class pairs per class for multimodality")
      .add_int("evaluate.seed", 0, 0, 2147483647, "seed of the resamples and pair draws")
      .add_string("evaluate.real_split", "", "the split of the real file compared against; empty = every clip");
}

void register_evaluate_command(CommandRegistry& registry, const GlobalOptions&) {
  auto request = std::make_shared<EvaluateRequest>();
  auto* command = registry.add(
      &registry.app(), "evaluate",
      "Generation metrics of a generated set against a real one through a trained feature recogniser: skelaug "
      "evaluate --config A2M_RUN/config.yaml --checkpoint A2M_RUN/best/checkpoint-N.pt --real REAL.npz --generated "
      "GEN.npz [-o REPORT.json] [key=value ...]",
      [request] { return evaluate(*request); });
  command->add_option("--config", request->config_file, "the feature recogniser's run config (RUN/config.yaml)")
      ->required();
  command->add_option("--checkpoint", request->checkpoint, "its weights (e.g. RUN/best/checkpoint-N.pt)")->required();
  command->add_option("--real", request->real, "the real dataset file (.npz)")->required();
  command->add_option("--generated", request->generated, "the generated dataset file (.npz)")->required();
  command->add_option("-o,--output", request->output, "write the report as JSON here (and a table beside it, .txt)");
  command->add_option("--device", request->device, "cpu or cuda[:N]");
  command->add_option("overrides", request->overrides, "key.path=value overrides applied after the config");
}

}  // namespace skelaug::launcher
