#include "skelaug/sampling/sampling_job.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "skelaug/core/config.h"
#include "skelaug/core/error.h"
#include "skelaug/core/preemption.h"
#include "skelaug/core/progress.h"
#include "skelaug/core/seeding.h"
#include "skelaug/data/dataset_io.h"
#include "skelaug/data/skeleton_loader.h"
#include "skelaug/data/transforms.h"
#include "skelaug/models/checkpoint_weights.h"
#include "skelaug/models/generator_sampling.h"
#include "skelaug/sampling/work_items.h"

namespace skelaug::sampling {
namespace {

torch::Device sampling_device(const std::string& name) {
  if (name == "auto") return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
  try {
    return torch::Device(name);
  } catch (const c10::Error&) {
    throw core::UserError(fmt::format("--device: '{}' is not a device (auto, cpu or cuda[:N])", name));
  }
}

}  // namespace

SamplingJobOptions sampling_job_options(const core::Config& config) {
  SamplingJobOptions options;
  options.data = data::data_options(config);
  options.generator = models::generator_settings(config);
  options.sample = sample_settings(config);
  options.progress_interval_s = config.get_float("run.progress_interval_s");
  return options;
}

data::SkeletonDataset generate_clips(const SamplingJobOptions& options) {
  const core::PreemptionFlag stop_signals;  // SIGTERM/SIGUSR1 stop the run between batches, never mid-write
  const auto dataset = std::make_shared<data::SkeletonDataset>(data::load_dataset(options.data.training_file()));
  const auto architecture = options.generator.for_dataset(*dataset);
  models::Generator model(architecture);
  models::load_checkpoint_weights(options.checkpoint, options.sample.weights, *model);
  const auto device = sampling_device(options.device);
  model->to(device);

  // Exemplars: the clips of each class in the exemplar split, in dataset order, used in turn; prepared as training
  // prepared clips, without augmentation and with the middle window instead of a random crop.
  const bool use_exemplars = architecture.conditioning == models::Conditioning::kExemplar;
  const auto exemplar_clips = data::subset_indices(*dataset, options.sample.exemplar_split, 1.0, 0);
  const auto items =
      per_class_items(*dataset, exemplar_clips, options.per_class, use_exemplars, "sample.exemplar_split");
  auto exemplar_options = options.data.loader;
  exemplar_options.augment = {};
  exemplar_options.workers = 0;
  if (exemplar_options.length_mode == data::LengthMode::kRandomCrop) {
    exemplar_options.length_mode = data::LengthMode::kCentreCrop;
  }
  const data::SkeletonLoader exemplars(dataset, exemplar_options);

  const auto schedule = models::DiffusionSchedule::cosine(options.generator.diffusion_steps);
  const auto length = architecture.clip_length;
  const auto batch_size = static_cast<std::size_t>(options.sample.batch_size);
  auto generation = options.sample.generation;

  data::SkeletonDataset generated;
  generated.topology = dataset->topology;
  generated.fps = dataset->fps;
  generated.class_names = dataset->class_names;
  core::Progress progress("sampling", static_cast<std::int64_t>(items.size()), options.progress_interval_s,
                          true);
  for (std::size_t start = 0; start < items.size(); start += batch_size) {
    if (const int signal = core::PreemptionFlag::received(); signal != 0) {
      throw core::Preempted(fmt::format("signal {} after {} of {} clips; nothing was written (run the command again)",
                                        signal, start, items.size()));
    }
    const auto end = std::min(items.size(), start + batch_size);
    std::vector<std::int64_t> labels;
    std::vector<torch::Tensor> exemplar_joints, exemplar_masks;
    for (std::size_t i = start; i < end; ++i) {
      labels.push_back(items[i].label);
      if (items[i].exemplar >= 0) {
        const auto prepared = exemplars.sample(items[i].exemplar, 0);
        exemplar_joints.push_back(prepared.joints);
        exemplar_masks.push_back(prepared.mask);
      }
    }
    torch::Tensor exemplar, exemplar_mask;
    if (use_exemplars) {
      exemplar = model->normalised_features(torch::stack(exemplar_joints).to(device));
      exemplar_mask = torch::stack(exemplar_masks).to(device);
    }
    // Each batch's noise comes from its own seed: results do not depend on sample.batch_size's history.
    generation.sampler.seed = core::mix_seed(options.sample.seed, start);
    const auto features = models::generate(model, schedule, torch::tensor(labels, torch::kLong).to(device), exemplar,
                                           exemplar_mask, length, generation);
    const auto joints = model->joints_from_normalised(features).to(torch::kCPU).contiguous();
    for (std::size_t i = start; i < end; ++i) {
      data::ClipInfo info;
      info.split = "train";
      info.source = items[i].exemplar >= 0
                        ? fmt::format("generated from {}", dataset->info(static_cast<std::size_t>(items[i].exemplar)).source)
                        : "generated";
      generated.add_clip(joints[static_cast<std::int64_t>(i - start)].data_ptr<float>(), length, items[i].label, info);
    }
    progress.advance(static_cast<std::int64_t>(end - start));
  }
  progress.finish();
  return generated;
}

data::SkeletonDataset sample_to_file(const SamplingJobOptions& options, const std::filesystem::path& output) {
  auto generated = generate_clips(options);
  data::save_dataset(output, generated);
  return generated;
}

}  // namespace skelaug::sampling
