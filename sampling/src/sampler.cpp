#include "skelaug/sampling/sampler.h"

#include <fmt/format.h>

#include "skelaug/core/error.h"
#include "skelaug/data/dataset_io.h"
#include "skelaug/models/checkpoint_weights.h"
#include "skelaug/models/generator_sampling.h"
#include "skelaug/sampling/sampling_job.h"

namespace skelaug::sampling {

Sampler::Sampler(const SamplingJobOptions& options, const torch::Device& device)
    : settings_(options.sample),
      device_(device),
      dataset_(std::make_shared<data::SkeletonDataset>(data::load_dataset(options.data.training_file()))) {
  const auto architecture = options.generator.for_dataset(*dataset_);
  model_ = models::Generator(architecture);
  models::load_checkpoint_weights(options.checkpoint, options.sample.weights, *model_);
  model_->to(device_);
  uses_exemplars_ = architecture.conditioning == models::Conditioning::kExemplar;
  length_ = architecture.clip_length;
  schedule_.emplace(models::DiffusionSchedule::cosine(options.generator.diffusion_steps));

  auto exemplar_options = options.data.loader;
  exemplar_options.augment = {};
  exemplar_options.workers = 0;
  if (exemplar_options.length_mode == data::LengthMode::kRandomCrop) {
    exemplar_options.length_mode = data::LengthMode::kCentreCrop;
  }
  exemplars_.emplace(dataset_, exemplar_options);
}

data::SkeletonDataset Sampler::generate(const std::vector<WorkItem>& items) {
  data::SkeletonDataset generated;
  generated.topology = dataset_->topology;
  generated.fps = dataset_->fps;
  generated.class_names = dataset_->class_names;
  const auto batch_size = static_cast<std::size_t>(settings_.batch_size);
  auto generation = settings_.generation;
  for (std::size_t start = 0; start < items.size(); start += batch_size) {
    const auto end = std::min(items.size(), start + batch_size);
    std::vector<std::int64_t> labels;
    std::vector<std::uint64_t> seeds;
    std::vector<torch::Tensor> exemplar_joints, exemplar_masks;
    for (std::size_t i = start; i < end; ++i) {
      labels.push_back(items[i].label);
      seeds.push_back(static_cast<std::uint64_t>(item_seed(settings_.seed, items[i].id, 0)));
      if (uses_exemplars_) {
        const auto prepared = exemplars_->sample(items[i].exemplar, 0);
        exemplar_joints.push_back(prepared.joints);
        exemplar_masks.push_back(prepared.mask);
      }
    }
    torch::Tensor exemplar, exemplar_mask;
    if (uses_exemplars_) {
      exemplar = model_->normalised_features(torch::stack(exemplar_joints).to(device_));
      exemplar_mask = torch::stack(exemplar_masks).to(device_);
    }
    generation.sampler.row_seeds = seeds;
    const auto features = models::generate(model_, *schedule_, torch::tensor(labels, torch::kLong).to(device_),
                                           exemplar, exemplar_mask, length_, generation);
    const auto joints = model_->joints_from_normalised(features).to(torch::kCPU).contiguous();
    for (std::size_t i = start; i < end; ++i) {
      data::ClipInfo info;
      info.split = "train";
      info.source = items[i].exemplar >= 0
                        ? fmt::format("generated from {}",
                                      dataset_->info(static_cast<std::size_t>(items[i].exemplar)).source)
                        : "generated";
      info.generation.exemplar = items[i].exemplar;
      info.generation.seed = static_cast<std::int64_t>(seeds[i - start]);
      generated.add_clip(joints[static_cast<std::int64_t>(i - start)].data_ptr<float>(), length_, items[i].label,
                         info);
    }
  }
  return generated;
}

}  // namespace skelaug::sampling
