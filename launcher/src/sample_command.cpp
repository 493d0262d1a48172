// `skelaug sample`: generate clips with a trained generator into a dataset file.
#include <fmt/format.h>
#include <torch/torch.h>

#include "skelaug/core/config.h"
#include "skelaug/core/error.h"
#include "skelaug/core/logging.h"
#include "skelaug/core/progress.h"
#include "skelaug/data/data_config.h"
#include "skelaug/data/dataset_io.h"
#include "skelaug/launcher/command_registry.h"
#include "skelaug/launcher/config_sections.h"
#include "skelaug/models/generator_config.h"
#include "skelaug/models/generator_sampling.h"
#include "skelaug/models/skeleton_features.h"
#include "skelaug/training/checkpoint.h"

namespace skelaug::launcher {
namespace {

struct SampleRequest {
  std::string config_file;
  std::string checkpoint;
  std::string output;
  std::int64_t per_class = 0;
  std::vector<std::string> overrides;
};

int sample_clips(const SampleRequest& request) {
  const auto config = core::load_config(full_schema(), request.config_file, request.overrides);
  const auto dataset = std::make_shared<data::SkeletonDataset>(data::load_dataset(data::training_file(config)));
  const auto options = models::generator_options(config, *dataset);
  models::Generator model(options);
  training::CheckpointStore::load_weights(request.checkpoint, config.get_string("sample.weights"), *model);
  const torch::Device device = torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
  model->to(device);
  models::set_sampling_dropout(*model, config.get_float("sample.dropout"));

  // Exemplars: the clips of each class in the exemplar split, in dataset order, used in turn.
  const auto exemplar_clips = data::subset_indices(*dataset, config.get_string("sample.exemplar_split"), 1.0, 0);
  std::vector<std::vector<std::int64_t>> by_class(dataset->class_names.size());
  for (const auto clip : exemplar_clips) by_class[static_cast<std::size_t>(dataset->labels[static_cast<std::size_t>(clip)])].push_back(clip);
  auto loader_options = data::loader_options(config);
  loader_options.augment = {};
  loader_options.workers = 0;
  if (loader_options.length_mode == data::LengthMode::kRandomCrop) loader_options.length_mode = data::LengthMode::kCentreCrop;
  const data::SkeletonLoader exemplars(dataset, loader_options);

  struct Job {
    std::int64_t label;
    std::int64_t exemplar;  // -1 in label mode
  };
  std::vector<Job> jobs;
  for (std::size_t label = 0; label < by_class.size(); ++label) {
    for (std::int64_t i = 0; i < request.per_class; ++i) {
      const auto& members = by_class[label];
      const bool uses_exemplar = options.conditioning == models::Conditioning::kExemplar && !members.empty();
      jobs.push_back({static_cast<std::int64_t>(label),
                      uses_exemplar ? members[static_cast<std::size_t>(i) % members.size()] : -1});
    }
  }
  if (options.conditioning == models::Conditioning::kExemplar) {
    for (const auto& job : jobs) {  // a class without exemplars cannot be generated in exemplar mode
      if (job.exemplar < 0) {
        throw core::UserError(fmt::format("sample.exemplar_split: class '{}' has no clip to serve as an exemplar",
                                          dataset->class_names[static_cast<std::size_t>(job.label)]));
      }
    }
  }

  models::GenerationOptions generation;
  generation.sampler.ddim_steps = config.get_int("sample.ddim_steps");
  generation.sampler.eta = config.get_float("sample.eta");
  generation.dropout = config.get_float("sample.dropout");
  generation.guidance = config.get_float("sample.guidance");
  const auto schedule = models::DiffusionSchedule::cosine(config.get_int("generator.diffusion_steps"));
  const auto length = config.get_int("data.clip_length");
  const auto batch_size = config.get_int("sample.batch_size");
  const auto seed = static_cast<std::uint64_t>(config.get_int("sample.seed"));

  data::SkeletonDataset generated;
  generated.topology = dataset->topology;
  generated.fps = dataset->fps;
  generated.class_names = dataset->class_names;
  core::Progress progress("sampling", static_cast<std::int64_t>(jobs.size()), config.get_float("run.progress_interval_s"), true);
  for (std::size_t start = 0; start < jobs.size(); start += static_cast<std::size_t>(batch_size)) {
    const auto end = std::min(jobs.size(), start + static_cast<std::size_t>(batch_size));
    std::vector<std::int64_t> labels;
    std::vector<torch::Tensor> exemplar_joints, exemplar_masks;
    for (std::size_t i = start; i < end; ++i) {
      labels.push_back(jobs[i].label);
      if (jobs[i].exemplar >= 0) {
        const auto prepared = exemplars.sample(jobs[i].exemplar, 0);
        exemplar_joints.push_back(prepared.joints);
        exemplar_masks.push_back(prepared.mask);
      }
    }
    torch::Tensor exemplar, exemplar_mask;
    if (options.conditioning == models::Conditioning::kExemplar) {
      exemplar = model->normalised_features(torch::stack(exemplar_joints).to(device));
      exemplar_mask = torch::stack(exemplar_masks).to(device);
    }
    // Each batch's noise comes from its own seed: results do not depend on sample.batch_size's history.
    generation.sampler.seed = data::mix_seed(seed, start);
    const auto features = models::generate(model, schedule, torch::tensor(labels, torch::kLong).to(device), exemplar,
                                           exemplar_mask, length, generation);
    const auto joints = model->joints_from_normalised(features).to(torch::kCPU).contiguous();
    for (std::size_t i = start; i < end; ++i) {
      data::ClipInfo info;
      info.split = "train";
      info.source = jobs[i].exemplar >= 0
                        ? fmt::format("generated from {}", dataset->info(static_cast<std::size_t>(jobs[i].exemplar)).source)
                        : "generated";
      generated.add_clip(joints[static_cast<std::int64_t>(i - start)].data_ptr<float>(), length, jobs[i].label, info);
    }
    progress.advance(static_cast<std::int64_t>(end - start));
  }
  progress.finish();
  data::save_dataset(request.output, generated);
  std::fputs(fmt::format("{}: {} generated clips, {} per class, {} frames each\n", request.output, generated.size(),
                         request.per_class, length).c_str(), stdout);
  return core::kSuccess;
}

}  // namespace

void register_sample_command(CommandRegistry& registry, const GlobalOptions&) {
  auto request = std::make_shared<SampleRequest>();
  auto* command = registry.add(&registry.app(), "sample",
                               "Generate clips with a trained generator: skelaug sample --config RUN/config.yaml "
                               "--checkpoint CKPT --per-class N -o OUT.npz [key=value ...] (sample.* keys: sampler, "
                               "dropout, guidance)",
                               [request] { return sample_clips(*request); });
  command->add_option("--config", request->config_file, "the training run's config (e.g. RUN/config.yaml)")->required();
  command->add_option("--checkpoint", request->checkpoint, "a checkpoint of that run")->required();
  command->add_option("--per-class", request->per_class, "clips generated per class")->required()->check(CLI::Range(1, 1000000));
  command->add_option("-o,--output", request->output, "the dataset file to write (.npz)")->required();
  command->add_option("overrides", request->overrides, "key.path=value overrides applied after the config");
}

}  // namespace skelaug::launcher
