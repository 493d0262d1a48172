// `skelaug evaluate`: the generation metrics (FID, recogniser accuracy, diversity, multimodality, each over repeated
// draws with a 95% interval) and fidelity statistics of a generated set against a real one, through a fixed feature
// recogniser trained with `skelaug train recognizer` (architecture a2m_gru for the field's protocol).
#include <cstdio>

#include "skelaug/core/config.h"
#include "skelaug/core/error.h"
#include "skelaug/core/preemption.h"
#include "skelaug/evaluation/generated_set_evaluation.h"
#include "skelaug/launcher/command_registry.h"
#include "skelaug/launcher/config_sections.h"
#include "skelaug/models/checkpoint_weights.h"

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

int evaluate(const EvaluateRequest& request) {
  const core::PreemptionFlag stop_signals;  // a signal while the config, data or weights load stops cleanly too
  auto options = evaluation::generated_set_evaluation_options(
      core::load_config(full_schema(), request.config_file, request.overrides));
  options.checkpoint = models::resolve_checkpoint(request.checkpoint);
  options.real = request.real;
  options.generated = request.generated;
  options.report = request.output;
  options.device = request.device;
  std::fputs(evaluation::evaluate_generated_set(options).to_table().c_str(), stdout);
  return core::kSuccess;
}

}  // namespace

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
  command->add_option("--checkpoint", request->checkpoint, "its weights: a checkpoint file, or a directory for its newest (e.g. RUN/best)")->required();
  command->add_option("--real", request->real, "the real dataset file (.npz)")->required();
  command->add_option("--generated", request->generated, "the generated dataset file (.npz)")->required();
  command->add_option("-o,--output", request->output, "write the report as JSON here (and a table beside it, .txt)");
  command->add_option("--device", request->device, "cpu or cuda[:N]");
  command->add_option("overrides", request->overrides, "key.path=value overrides applied after the config");
}

}  // namespace skelaug::launcher
