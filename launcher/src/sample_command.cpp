// `skelaug sample`: generate clips with a trained generator into a dataset file.
#include <fmt/format.h>

#include <cstdio>

#include "skelaug/core/config.h"
#include "skelaug/core/error.h"
#include "skelaug/core/preemption.h"
#include "skelaug/launcher/command_registry.h"
#include "skelaug/launcher/config_sections.h"
#include "skelaug/sampling/sampling_job.h"

namespace skelaug::launcher {
namespace {

struct SampleRequest {
  std::string config_file;
  std::string checkpoint;
  std::string output;
  std::int64_t per_class = 0;
  std::vector<std::string> overrides;
};

int sample(const SampleRequest& request) {
  const core::PreemptionFlag stop_signals;  // a signal while the config, data or weights load stops cleanly too
  auto options = sampling::sampling_job_options(core::load_config(full_schema(), request.config_file, request.overrides));
  options.checkpoint = request.checkpoint;
  options.per_class = request.per_class;
  const auto generated = sampling::sample_to_file(options, request.output);
  std::fputs(fmt::format("{}: {} generated clips, {} per class, {} frames each\n", request.output, generated.size(),
                         request.per_class, options.generator.architecture.clip_length)
                 .c_str(),
             stdout);
  return core::kSuccess;
}

}  // namespace

void register_sample_command(CommandRegistry& registry, const GlobalOptions&) {
  auto request = std::make_shared<SampleRequest>();
  auto* command = registry.add(&registry.app(), "sample",
                               "Generate clips with a trained generator: skelaug sample --config RUN/config.yaml "
                               "--checkpoint CKPT --per-class N -o OUT.npz [key=value ...] (sample.* keys: sampler, "
                               "dropout, guidance)",
                               [request] { return sample(*request); });
  command->add_option("--config", request->config_file, "the training run's config (e.g. RUN/config.yaml)")->required();
  command->add_option("--checkpoint", request->checkpoint, "a checkpoint of that run")->required();
  command->add_option("--per-class", request->per_class, "clips generated per class")->required()->check(CLI::Range(1, 1000000));
  command->add_option("-o,--output", request->output, "the dataset file to write (.npz)")->required();
  command->add_option("overrides", request->overrides, "key.path=value overrides applied after the config");
}

}  // namespace skelaug::launcher
