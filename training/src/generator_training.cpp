#include "skelaug/training/generator_training.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <memory>

#include "skelaug/core/error.h"
#include "skelaug/core/logging.h"
#include "skelaug/core/seeding.h"
#include "skelaug/data/dataset_io.h"
#include "skelaug/data/device_copy.h"
#include "skelaug/data/topology.h"
#include "skelaug/models/skeleton_features.h"
#include "skelaug/training/exemplar_picker.h"
#include "skelaug/training/exponential_moving_average.h"
#include "skelaug/training/multi_tensor_adamw.h"
#include "skelaug/training/rank_agreement.h"

namespace skelaug::training {

GeneratorTrainingOptions generator_training_options(const core::Config& config) {
  return {data::data_options(config), train_options(config), models::generator_settings(config)};
}

int train_generator(const GeneratorTrainingOptions& options, const TrainingWorld& world) {
  const auto dataset =
      std::make_shared<data::SkeletonDataset>(data::load_dataset(options.data.training_file()));
  const auto clips = data::training_clips(*dataset, options.data);
  require_same_on_every_rank(world, training_set_fingerprint(*dataset, clips),
                             "the training clips (data.train, data.train_split, data.fraction, run.seed)");
  const auto batch_per_rank = options.train.per_rank_batch(world.size());
  SKELAUG_LOG(kInfo) << fmt::format("training clips: {} of {} ({} of split '{}'), {} classes, topology {}",
                                    clips.size(), dataset->size(), options.data.fraction, options.data.train_split,
                                    dataset->class_names.size(), dataset->topology);
  world.record({{"event", "training_set"}, {"real_clips", clips.size()}, {"real_clip_indices", clips}});

  const auto architecture = options.generator.for_dataset(*dataset);
  const auto stats = models::compute_feature_stats(*dataset, clips);
  const auto seed = options.train.trainer.seed;
  torch::manual_seed(seed);  // the same initial weights every run
  models::Generator model(architecture);
  model->feature_mean.copy_(stats.mean);
  model->feature_std.copy_(stats.std);
  model->to(world.device);
  models::Generator ema_model(architecture);
  ema_model->to(world.device);
  ExponentialMovingAverage ema(*model, *ema_model, options.generator.ema_decay);
  std::int64_t parameters = 0;
  for (const auto& p : model->parameters()) parameters += p.numel();
  SKELAUG_LOG(kInfo) << fmt::format("generator: {} conditioning, {} parameters",
                                    architecture.conditioning == models::Conditioning::kLabel ? "label" : "exemplar",
                                    parameters);

  auto loader_options = options.data.loader;
  loader_options.batch_size = batch_per_rank;
  loader_options.rank = world.rank();
  loader_options.world_size = world.size();
  loader_options.clips = clips;
  data::SkeletonLoader loader(dataset, loader_options);
  // Exemplars come through the same transforms as the clips, without the per-epoch crop randomness of the batch.
  auto exemplar_options = loader_options;
  exemplar_options.augment = {};
  exemplar_options.workers = 0;
  const data::SkeletonLoader exemplar_source(dataset, exemplar_options);
  const ExemplarPicker picker(*dataset, clips);
  const bool other_exemplar = options.generator.exemplar == models::TrainingExemplar::kOther &&
                              architecture.conditioning == models::Conditioning::kExemplar;

  const auto& schedule = options.train.learning_rate;
  const auto adamw = make_adamw(model->parameters(),
                                torch::optim::AdamWOptions(schedule.at(0, 0.0)).weight_decay(options.train.weight_decay),
                                world.device);
  auto& optimizer = *adamw;
  auto trainer_options = options.train.trainer;
  trainer_options.device = world.device;
  Trainer trainer(*model, optimizer, world.communicator, world.run, world.metrics, trainer_options);
  trainer.ema = ema_model.get();
  trainer.after_step = [&](const TrainingState& state) {
    ema.update();
    const double lr = schedule.at(state.epoch, options.train.progress(state, loader.steps_per_epoch()));
    for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
  };

  const auto diffusion = models::DiffusionSchedule::cosine(options.generator.diffusion_steps);
  const auto edges = data::topology(dataset->topology).edges();
  const int code = trainer.fit(loader, [&](const data::Batch& batch) {
    model->train();
    const auto step = static_cast<std::uint64_t>(trainer.state().global_step);
    const auto clip_features = model->normalised_features(batch.joints);
    torch::Tensor exemplar = clip_features;
    torch::Tensor exemplar_mask = batch.mask;
    if (other_exemplar) {
      std::vector<torch::Tensor> joints, masks;
      for (std::size_t row = 0; row < batch.clips.size(); ++row) {
        const auto pick_seed = core::mix_seed(step, static_cast<std::uint64_t>(batch.clips[row]), 0xe8e);
        // The label from the host's dataset, not from the batch's device tensor (which would wait for the device).
        const auto label = dataset->labels[static_cast<std::size_t>(batch.clips[row])];
        const auto sample = exemplar_source.sample(picker.pick_other_than(batch.clips[row], label, pick_seed), trainer.state().epoch);
        joints.push_back(sample.joints);
        masks.push_back(sample.mask);
      }
      exemplar = model->normalised_features(data::to_device(torch::stack(joints), world.device));
      exemplar_mask = data::to_device(torch::stack(masks), world.device);
    }
    std::vector<std::uint64_t> seeds;
    for (const auto clip : batch.clips) seeds.push_back(core::mix_seed(seed, step, static_cast<std::uint64_t>(clip)));
    return models::generator_loss(model, diffusion, clip_features, batch.mask, batch.labels, exemplar, exemplar_mask,
                                  options.generator.loss, edges, seeds)
        .total;
  });
  if (code == core::kSuccess) {
    SKELAUG_LOG(kInfo) << fmt::format("generator trained: {} steps; checkpoints in {}", trainer.state().global_step,
                                      world.run.checkpoints_folder().string());
  }
  return code;
}

}  // namespace skelaug::training
