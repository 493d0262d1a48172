// `skelaug sample`: generate a sample set (a directory of shards and a manifest) with a trained generator, on one
// process or on every rank of an MPI job.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>

#include "skelaug/core/config.h"
#include "skelaug/core/error.h"
#include "skelaug/core/logging.h"
#include "skelaug/core/preemption.h"
#include "skelaug/distributed/backend.h"
#include "skelaug/distributed/mpi_environment.h"
#include "skelaug/distributed/thread_binding.h"
#include "skelaug/launcher/command_registry.h"
#include "skelaug/launcher/config_sections.h"
#include "skelaug/launcher/job.h"
#include "skelaug/models/checkpoint_weights.h"
#include "skelaug/sampling/sampling_job.h"

namespace skelaug::launcher {
namespace {

struct SampleRequest {
  std::string config_file;
  std::string checkpoint;
  std::string output;
  std::int64_t per_clip = 0;
  std::int64_t per_class = 0;
  std::string device = "auto";
  bool force = false;
  std::vector<std::string> overrides;
};

std::string class_counts(const sampling::SampleSetSummary& summary) {
  std::string text;
  for (const auto& [name, count] : summary.class_counts) text += fmt::format("{}{} {}", text.empty() ? "" : ", ", name, count);
  return text;
}

int sample(const SampleRequest& request) {
  const core::PreemptionFlag stop_signals;  // a signal while the config, data or weights load stops cleanly too
  if (request.per_clip == 0 && request.per_class == 0) {
    throw core::UserError("sample: give --per-clip K (per clip of the exemplar set) or --per-class N");
  }
  if (std::filesystem::path(request.output).extension() == ".npz") {
    throw core::UserError(fmt::format("-o {}: skelaug sample writes a directory (a sample set); name one, and make "
                                      "one file of it with `skelaug data merge DIR -o FILE.npz`",
                                      request.output));
  }
  auto options = sampling::sampling_job_options(core::load_config(full_schema(), request.config_file, request.overrides));
  options.checkpoint = models::resolve_checkpoint(request.checkpoint);
  options.per_clip = request.per_clip;
  options.per_class = request.per_class;
  options.device = request.device;
  if (const auto& recognizer = options.sample.refine.recognizer; !recognizer.empty()) {
    const auto run_config = std::filesystem::path(recognizer) / "config.yaml";
    if (!std::filesystem::is_regular_file(run_config)) {
      throw core::UserError(fmt::format("sample.refine.recognizer: {} is not a recogniser run directory (no "
                                        "config.yaml)",
                                        recognizer));
    }
    options.refine_recognizer_config =
        std::make_shared<const core::Config>(core::load_config(full_schema(), run_config, {}));
  }
  distributed::MpiEnvironment mpi;
  return run_on_ranks(mpi, [&] {
    // Ranks sharing a node share its cores, as in training (on a GPU the CPU threads only feed it).
    const int threads = distributed::rank_threads(mpi, *options.config);
    const auto blas = distributed::bind_threads(threads);
    SKELAUG_LOG(kInfo) << fmt::format("rank {} of {}: {} CPU thread(s), {}", mpi.rank(), mpi.size(), threads, blas);
    const auto run = sampling::sample_to_directory(options, request.output, request.force, mpi);
    if (mpi.rank() == 0) {
      if (options.sample.refine.on()) {
        std::fputs((run.summary.refinement.summary() + "\n").c_str(), stdout);
      }
      std::fputs(fmt::format("{}: {} generated clips in {} shards ({} made now, {} found done), {} frames each; per "
                             "class: {}\n",
                             request.output, run.summary.clips, run.chunks, run.chunks_written, run.chunks_found,
                             options.generator.architecture.clip_length, class_counts(run.summary))
                     .c_str(),
                 stdout);
      if (run.rank_items > 0) {
        std::fputs(fmt::format("rank 0 generated {} items in {:.2f} s: {:.2f} items/s per rank on {} rank(s)\n",
                               run.rank_items, run.rank_seconds,
                               static_cast<double>(run.rank_items) / run.rank_seconds, mpi.size())
                       .c_str(),
                   stdout);
      }
    }
    return core::kSuccess;
  });
}

}  // namespace

void register_sample_command(CommandRegistry& registry, const GlobalOptions&) {
  auto request = std::make_shared<SampleRequest>();
  auto* command = registry.add(
      &registry.app(), "sample",
      "Generate clips with a trained generator into a sample set (a directory of shards with a manifest; any number "
      "of ranks; run it again to complete a stopped set): [mpirun -np N] skelaug sample --config RUN/config.yaml "
      "--checkpoint CKPT (--per-clip K | --per-class N) -o OUT [key=value ...] (sample.* keys: sampler, dropout, "
      "guidance, seed, chunk size, exemplars)",
      [request] { return sample(*request); });
  command->add_option("--config", request->config_file, "the training run's config (e.g. RUN/config.yaml)")->required();
  command->add_option("--checkpoint", request->checkpoint, "a checkpoint of that run, or a directory for its newest (the run directory itself: its checkpoints/)")->required();
  auto* per_clip = command->add_option("--per-clip", request->per_clip,
                                       "clips generated per clip of the exemplar set (the paper: 5)")
                       ->check(CLI::Range(1, 1000000));
  auto* per_class = command->add_option("--per-class", request->per_class, "clips generated per class")
                        ->check(CLI::Range(1, 10000000));
  per_clip->excludes(per_class);
  per_class->excludes(per_clip);
  command->add_option("-o,--output", request->output,
                      "the sample set's directory (a dataset wherever one is read; `skelaug data merge` makes one "
                      "file of it)")
      ->required();
  command->add_option("--device", request->device, "auto (each node-local rank's GPU, if any), cpu or cuda[:N]");
  command->add_flag("--force", request->force, "start over in a directory that holds a set made otherwise");
  command->add_option("overrides", request->overrides, "key.path=value overrides applied after the config");
}

}  // namespace skelaug::launcher
