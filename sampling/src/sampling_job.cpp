#include "skelaug/sampling/sampling_job.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <chrono>

#include <nlohmann/json.hpp>

#include "skelaug/core/config.h"
#include "skelaug/core/error.h"
#include "skelaug/core/file_checksum.h"
#include "skelaug/core/logging.h"
#include "skelaug/core/preemption.h"
#include "skelaug/core/progress.h"
#include "skelaug/distributed/mpi_environment.h"
#include "skelaug/sampling/sampler.h"

namespace skelaug::sampling {
namespace {

torch::Device sampling_device(const std::string& name, int local_rank) {
  if (name == "auto") {
    if (!torch::cuda::is_available()) return torch::Device(torch::kCPU);
    const auto devices = static_cast<int>(torch::cuda::device_count());
    return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(local_rank % devices));
  }
  try {
    return torch::Device(name);
  } catch (const c10::Error&) {
    throw core::UserError(fmt::format("--device: '{}' is not a device (auto, cpu or cuda[:N])", name));
  }
}

std::string items_description(const SamplingJobOptions& options) {
  return options.per_clip > 0 ? fmt::format("per_clip {}", options.per_clip)
                              : fmt::format("per_class {}", options.per_class);
}

// Rank 0's answer to "what is left to do", or the error that stops every rank, as one broadcast string.
std::vector<std::int64_t> chunks_to_do(const std::filesystem::path& output, const SampleSetIdentity& identity,
                                       bool force, const distributed::MpiEnvironment& mpi) {
  nlohmann::json plan;
  if (mpi.rank() == 0) {
    try {
      plan = {{"chunks", prepare_sample_set(output, identity, force)}};
    } catch (const core::UserError& e) {
      plan = {{"user_error", e.what()}};
    } catch (const std::exception& e) {
      plan = {{"error", e.what()}};
    }
  }
  plan = nlohmann::json::parse(mpi.broadcast(plan.dump(), 0));
  if (plan.contains("user_error")) throw core::UserError(plan["user_error"].get<std::string>());
  if (plan.contains("error")) throw std::runtime_error(plan["error"].get<std::string>());
  return plan["chunks"].get<std::vector<std::int64_t>>();
}

}  // namespace

SamplingJobOptions sampling_job_options(const core::Config& config) {
  SamplingJobOptions options;
  options.data = data::data_options(config);
  options.generator = models::generator_settings(config);
  options.sample = sample_settings(config);
  options.config = std::make_shared<const core::Config>(config);
  options.progress_interval_s = config.get_float("run.progress_interval_s");
  return options;
}

std::vector<WorkItem> work_items(const data::SkeletonDataset& dataset, const SamplingJobOptions& options,
                                 bool use_exemplars) {
  if ((options.per_clip > 0) == (options.per_class > 0)) {
    throw core::UserError("sample: give one of --per-clip and --per-class");
  }
  const auto clips = exemplar_clips(dataset, options.data, options.sample.exemplar_split);
  return options.per_clip > 0
             ? per_clip_items(dataset, clips, options.per_clip, use_exemplars)
             : per_class_items(dataset, clips, options.per_class, use_exemplars, "sample.exemplar_split");
}

data::SkeletonDataset generate_clips(const SamplingJobOptions& options) {
  Sampler sampler(options, sampling_device(options.device, 0));
  return sampler.generate(work_items(sampler.dataset(), options, sampler.uses_exemplars())).clips;
}

SamplingRun sample_to_directory(const SamplingJobOptions& options, const std::filesystem::path& output, bool force,
                                const distributed::MpiEnvironment& mpi) {
  const core::PreemptionFlag stop_signals;  // a signal finishes the chunk in flight, never a shard half-written
  Sampler sampler(options, sampling_device(options.device, mpi.layout().local_rank));
  const auto items = work_items(sampler.dataset(), options, sampler.uses_exemplars());
  if (items.empty()) throw core::UserError("sample: no work items (an empty exemplar set?)");

  SampleSetIdentity identity;
  identity.config = options.config.get();
  identity.checkpoint = options.checkpoint.string();
  identity.weights_crc64 = fmt::format("{:016x}", core::file_crc64(options.checkpoint));
  identity.items = items_description(options);
  identity.item_count = static_cast<std::int64_t>(items.size());
  identity.chunk_size = options.sample.chunk_size;
  const auto to_do = chunks_to_do(output, identity, force, mpi);

  SamplingRun run;
  run.items = identity.item_count;
  run.chunks = identity.chunk_count();
  run.chunks_found = run.chunks - static_cast<std::int64_t>(to_do.size());
  // Chunks go round-robin over the ranks: the costs of chunks are equal but for the last, so this balances as well as
  // a dynamic queue would, with no messages while sampling.
  std::vector<std::int64_t> mine;
  for (std::size_t i = static_cast<std::size_t>(mpi.rank()); i < to_do.size(); i += static_cast<std::size_t>(mpi.size())) {
    mine.push_back(to_do[i]);
  }
  SKELAUG_LOG(kInfo) << fmt::format("{}: {} items in {} chunks of {}; {} already done, {} to do over {} rank(s)",
                                    output.string(), run.items, run.chunks, identity.chunk_size, run.chunks_found,
                                    to_do.size(), mpi.size());
  std::int64_t my_items = 0;
  for (const auto chunk : mine) {
    my_items += std::min(identity.chunk_size, identity.item_count - chunk * identity.chunk_size);
  }
  core::Progress progress("sampling", my_items, options.progress_interval_s, mpi.rank() == 0);
  bool stopped = false;
  std::int64_t written = 0;
  const auto start = std::chrono::steady_clock::now();
  for (const auto chunk : mine) {
    if (core::PreemptionFlag::received() != 0) {
      stopped = true;
      break;
    }
    const auto first = items.begin() + chunk * identity.chunk_size;
    const auto last = items.begin() + std::min(identity.item_count, (chunk + 1) * identity.chunk_size);
    const std::vector<WorkItem> chunk_items(first, last);
    const auto generated = sampler.generate(chunk_items);
    write_shard(output, chunk, generated.clips, generated.refinement);
    ++written;
    run.rank_items += static_cast<std::int64_t>(chunk_items.size());
    progress.advance(static_cast<std::int64_t>(chunk_items.size()));
  }
  run.rank_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!stopped) progress.finish();

  run.chunks_written = mpi.sum(written);
  const bool any_stopped = mpi.sum(stopped ? 1 : 0) > 0;
  if (any_stopped) {
    const auto done = run.chunks_found + run.chunks_written;
    throw core::Preempted(fmt::format("signal {}: {} of {} chunks of {} are written ({} by this run); run the same "
                                      "command again to complete the set",
                                      core::PreemptionFlag::received(), done, run.chunks, output.string(),
                                      run.chunks_written));
  }
  if (mpi.rank() == 0) {
    run.summary = complete_sample_set(output, identity);
    if (options.sample.refine.on()) {
      SKELAUG_LOG(kInfo) << fmt::format("{}: {}", output.string(), run.summary.refinement.summary());
    }
  }
  mpi.barrier();
  return run;
}

}  // namespace skelaug::sampling
