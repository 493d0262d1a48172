#include "skelaug/sampling/sampler.h"

#include <fmt/format.h>

#include "skelaug/core/error.h"
#include "skelaug/core/seeding.h"
#include "skelaug/data/dataset_io.h"
#include "skelaug/models/checkpoint_weights.h"
#include "skelaug/models/generator_sampling.h"
#include "skelaug/sampling/sampling_job.h"

namespace skelaug::sampling {
namespace {

// Where an item stands: which draw and refinement round its current clip came from, and that clip.
struct Attempt {
  std::size_t item = 0;  // index into the items
  std::int64_t draw = 0;
  std::int64_t round = 0;
  torch::Tensor features;  // the clip [length, F], normalised, on the device
};

std::uint64_t attempt_seed(std::uint64_t sample_seed, const WorkItem& item, const Attempt& attempt) {
  const auto draw_seed = static_cast<std::uint64_t>(item_seed(sample_seed, item.id, attempt.draw));
  return attempt.round == 0 ? draw_seed : core::mix_seed(draw_seed, static_cast<std::uint64_t>(attempt.round));
}

}  // namespace

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
  if (settings_.refine.max_rounds > 0 && settings_.refine.renoise_step >= options.generator.diffusion_steps) {
    throw core::UserError(fmt::format("sample.refine.renoise_step: {} is not below generator.diffusion_steps ({})",
                                      settings_.refine.renoise_step, options.generator.diffusion_steps));
  }

  auto exemplar_options = options.data.loader;
  exemplar_options.augment = {};
  exemplar_options.workers = 0;
  if (exemplar_options.length_mode == data::LengthMode::kRandomCrop) {
    exemplar_options.length_mode = data::LengthMode::kCentreCrop;
  }
  exemplars_.emplace(dataset_, exemplar_options);

  const auto& refine = settings_.refine;
  std::optional<LabelScorer> scorer;
  if (!refine.recognizer.empty()) {
    if (!options.refine_recognizer_config) {
      throw std::logic_error("sample.refine.recognizer is set but its run config was not read");
    }
    scorer.emplace(refine.recognizer, *options.refine_recognizer_config, refine, *dataset_, device_);
  }
  if (refine.filters() || scorer) judge_.emplace(refine, *dataset_, uses_exemplars_, std::move(scorer));
}

Sampler::Generated Sampler::generate(const std::vector<WorkItem>& items) {
  Generated result;
  auto& stats = result.refinement;
  stats.items = static_cast<std::int64_t>(items.size());
  for (const auto& item : items) ++stats.per_class[dataset_->class_names[static_cast<std::size_t>(item.label)]][0];

  struct Kept {
    torch::Tensor joints;  // [length, J, 3] on the CPU
    Attempt attempt;
    float deviation;
    float confidence;
  };
  std::vector<std::optional<Kept>> kept(items.size());
  std::vector<Attempt> fresh, refine;
  for (std::size_t i = 0; i < items.size(); ++i) fresh.push_back({i, 0, 0, {}});

  const auto batch_size = static_cast<std::size_t>(settings_.batch_size);
  while (!fresh.empty() || !refine.empty()) {
    // Fresh draws first, then refinement rounds; batches never mix the two, and each row's draws are its own.
    const bool drawing = !fresh.empty();
    auto& queue = drawing ? fresh : refine;
    const std::vector<Attempt> batch(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(std::min(batch_size, queue.size())));
    queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(batch.size()));

    std::vector<std::int64_t> labels;
    std::vector<std::uint64_t> seeds;
    std::vector<torch::Tensor> exemplar_joints, exemplar_masks, previous;
    for (const auto& attempt : batch) {
      const auto& item = items[attempt.item];
      labels.push_back(item.label);
      seeds.push_back(attempt_seed(settings_.seed, item, attempt));
      if (uses_exemplars_) {
        const auto prepared = exemplars_->sample(item.exemplar, 0);
        exemplar_joints.push_back(prepared.joints);
        exemplar_masks.push_back(prepared.mask);
      }
      if (!drawing) previous.push_back(attempt.features);
    }
    torch::Tensor exemplar, exemplar_mask, exemplar_positions;
    if (uses_exemplars_) {
      exemplar_positions = torch::stack(exemplar_joints);
      exemplar = model_->normalised_features(exemplar_positions.to(device_));
      exemplar_mask = torch::stack(exemplar_masks).to(device_);
    }
    auto generation = settings_.generation;
    generation.sampler.row_seeds = seeds;
    const auto label_tensor = torch::tensor(labels, torch::kLong).to(device_);
    const auto features =
        drawing ? models::generate(model_, *schedule_, label_tensor, exemplar, exemplar_mask, length_, generation)
                : models::regenerate(model_, *schedule_, torch::stack(previous), label_tensor, exemplar, exemplar_mask,
                                     settings_.refine.renoise_step, generation);
    if (!drawing) stats.rounds += static_cast<std::int64_t>(batch.size());
    const auto joints = model_->joints_from_normalised(features).to(torch::kCPU).contiguous();

    Verdicts verdicts;
    if (judge_) {
      // The batch as a dataset: the recogniser scores clips the way its loader reads them.
      auto judged = std::make_shared<data::SkeletonDataset>();
      judged->topology = dataset_->topology;
      judged->fps = dataset_->fps;
      judged->class_names = dataset_->class_names;
      for (std::size_t b = 0; b < batch.size(); ++b) {
        judged->add_clip(joints[static_cast<std::int64_t>(b)].data_ptr<float>(), length_, labels[b], {});
      }
      verdicts = judge_->judge(judged, joints, exemplar_positions, uses_exemplars_ ? exemplar_mask.to(torch::kCPU)
                                                                                  : torch::Tensor());
    }
    for (std::size_t b = 0; b < batch.size(); ++b) {
      auto attempt = batch[b];
      const int failed = judge_ ? verdicts.failed[b] : -1;
      if (failed < 0) {
        kept[attempt.item] = Kept{joints[static_cast<std::int64_t>(b)].clone(), attempt,
                                  judge_ ? verdicts.deviation[b] : std::numeric_limits<float>::quiet_NaN(),
                                  judge_ ? verdicts.confidence[b] : std::numeric_limits<float>::quiet_NaN()};
        continue;
      }
      ++stats.rejections[static_cast<std::size_t>(failed)];
      if (attempt.round < settings_.refine.max_rounds) {
        attempt.features = features[static_cast<std::int64_t>(b)];
        ++attempt.round;
        refine.push_back(attempt);
      } else if (attempt.draw + 1 < settings_.refine.max_draws) {
        ++stats.redraws;
        fresh.push_back({attempt.item, attempt.draw + 1, 0, {}});
      } else {
        ++stats.dropped;
      }
    }
  }

  auto& generated = result.clips;
  generated.topology = dataset_->topology;
  generated.fps = dataset_->fps;
  generated.class_names = dataset_->class_names;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!kept[i]) continue;
    const auto& item = items[i];
    data::ClipInfo info;
    info.split = "train";
    info.source = item.exemplar >= 0
                      ? fmt::format("generated from {}", dataset_->info(static_cast<std::size_t>(item.exemplar)).source)
                      : "generated";
    info.generation.exemplar = item.exemplar;
    info.generation.seed = item_seed(settings_.seed, item.id, kept[i]->attempt.draw);
    info.generation.rounds = kept[i]->attempt.round;
    info.generation.deviation = kept[i]->deviation;
    info.generation.confidence = kept[i]->confidence;
    generated.add_clip(kept[i]->joints.data_ptr<float>(), length_, item.label, info);
    ++stats.accepted;
    ++stats.per_class[dataset_->class_names[static_cast<std::size_t>(item.label)]][1];
  }
  return result;
}

}  // namespace skelaug::sampling
