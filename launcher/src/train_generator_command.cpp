// `skelaug train generator`: data-parallel diffusion training of the conditional skeleton generator.
#include <fmt/format.h>
#include <torch/torch.h>

#include <memory>

#include "skelaug/core/error.h"
#include "skelaug/core/logging.h"
#include "skelaug/data/data_config.h"
#include "skelaug/data/dataset_io.h"
#include "skelaug/data/topology.h"
#include "skelaug/launcher/command_registry.h"
#include "skelaug/launcher/job.h"
#include "skelaug/models/generator_config.h"
#include "skelaug/models/skeleton_features.h"
#include "skelaug/training/training_config.h"

namespace skelaug::launcher {
namespace {

// Exemplars of "another clip of the same class": drawn per sample from a stream seeded by (seed, step, clip), so
// that training stays resumable and independent of the rank count.
class ExemplarPicker {
 public:
  ExemplarPicker(const data::SkeletonDataset& dataset, const std::vector<std::int64_t>& clips) {
    by_class_.resize(dataset.class_names.size());
    for (const auto clip : clips) by_class_[static_cast<std::size_t>(dataset.labels[static_cast<std::size_t>(clip)])].push_back(clip);
  }
  std::int64_t pick(std::int64_t label, std::uint64_t seed) const {
    const auto& members = by_class_[static_cast<std::size_t>(label)];
    return members[static_cast<std::size_t>(seed % members.size())];
  }

 private:
  std::vector<std::vector<std::int64_t>> by_class_;
};

int train_generator(Job& job) {
  const auto& config = job.config();
  const auto dataset = std::make_shared<data::SkeletonDataset>(data::load_dataset(data::training_file(config)));
  const auto clips = data::training_clips(*dataset, config);
  const torch::Device device(job.binding().device);
  const auto batch_per_rank = training::per_rank_batch(config, job.mpi().size());
  SKELAUG_LOG(kInfo) << fmt::format("training clips: {} of {} ({} of split '{}'), {} classes, topology {}",
                                    clips.size(), dataset->size(), config.get_float("data.fraction"),
                                    config.get_string("data.train_split"), dataset->class_names.size(),
                                    dataset->topology);

  const auto options = models::generator_options(config, *dataset);
  const auto stats = models::compute_feature_stats(*dataset, clips);
  torch::manual_seed(static_cast<std::uint64_t>(config.get_int("run.seed")));  // the same initial weights every run
  models::Generator model(options);
  model->feature_mean.copy_(stats.mean);
  model->feature_std.copy_(stats.std);
  model->to(device);
  models::Generator ema(options);
  ema->to(device);
  {
    torch::NoGradGuard no_grad;
    // Same architecture, so parameters and buffers come in the same order.
    auto averaged = ema->parameters();
    const auto current = model->parameters();
    for (std::size_t i = 0; i < averaged.size(); ++i) averaged[i].copy_(current[i]);
    auto averaged_buffers = ema->buffers();
    const auto current_buffers = model->buffers();
    for (std::size_t i = 0; i < averaged_buffers.size(); ++i) averaged_buffers[i].copy_(current_buffers[i]);
  }
  std::int64_t parameters = 0;
  for (const auto& p : model->parameters()) parameters += p.numel();
  SKELAUG_LOG(kInfo) << fmt::format("generator: {} conditioning, {} parameters", config.get_string("generator.conditioning"),
                                    parameters);

  auto loader_options = data::loader_options(config);
  loader_options.batch_size = batch_per_rank;
  loader_options.rank = job.mpi().rank();
  loader_options.world_size = job.mpi().size();
  loader_options.clips = clips;
  data::SkeletonLoader loader(dataset, loader_options);
  // Exemplars come through the same transforms as the clips, without the per-epoch crop randomness of the batch.
  auto exemplar_options = loader_options;
  exemplar_options.augment = {};
  exemplar_options.workers = 0;
  const data::SkeletonLoader exemplar_source(dataset, exemplar_options);
  const ExemplarPicker picker(*dataset, clips);
  const bool other_exemplar = config.get_string("generator.exemplar") == "other";

  torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(training::learning_rate(config, 0, 0.0))
                                                         .weight_decay(config.get_float("train.weight_decay")));
  training::Trainer trainer(*model, optimizer, job.communicator(), job.run(), job.metrics(),
                            training::trainer_options(config, device));
  trainer.ema = ema.get();
  const double decay = config.get_float("generator.ema_decay");
  trainer.after_step = [&](const training::TrainingState& state) {
    torch::NoGradGuard no_grad;
    auto averaged = ema->parameters();
    const auto current = model->parameters();
    for (std::size_t i = 0; i < averaged.size(); ++i) averaged[i].mul_(decay).add_(current[i], 1.0 - decay);
    for (auto& group : optimizer.param_groups()) {
      static_cast<torch::optim::AdamWOptions&>(group.options()).lr(training::learning_rate(config, state.epoch, training::run_progress(config, state, loader.steps_per_epoch())));
    }
  };

  const auto schedule = models::DiffusionSchedule::cosine(config.get_int("generator.diffusion_steps"));
  const auto weights = models::generator_loss_weights(config);
  const auto edges = data::topology(dataset->topology).edges();
  const int code = trainer.fit(loader, [&](const data::Batch& batch) {
    model->train();
    const auto clips_features = model->normalised_features(batch.joints);
    torch::Tensor exemplar = clips_features;
    torch::Tensor exemplar_mask = batch.mask;
    if (other_exemplar && options.conditioning == models::Conditioning::kExemplar) {
      std::vector<torch::Tensor> joints, masks;
      for (std::size_t row = 0; row < batch.clips.size(); ++row) {
        const auto seed = data::mix_seed(static_cast<std::uint64_t>(trainer.state().global_step),
                                         static_cast<std::uint64_t>(batch.clips[row]), 0xe8e);
        const auto sample = exemplar_source.sample(picker.pick(batch.labels[static_cast<std::int64_t>(row)].item<std::int64_t>(), seed),
                                                   trainer.state().epoch);
        joints.push_back(sample.joints);
        masks.push_back(sample.mask);
      }
      exemplar = model->normalised_features(torch::stack(joints).to(device));
      exemplar_mask = torch::stack(masks).to(device);
    }
    std::vector<std::uint64_t> seeds;
    for (const auto clip : batch.clips) {
      seeds.push_back(data::mix_seed(static_cast<std::uint64_t>(config.get_int("run.seed")),
                                     static_cast<std::uint64_t>(trainer.state().global_step),
                                     static_cast<std::uint64_t>(clip)));
    }
    return models::generator_loss(model, schedule, clips_features, batch.mask, batch.labels, exemplar, exemplar_mask,
                                  weights, edges, seeds)
        .total;
  });
  if (code == core::kSuccess) {
    SKELAUG_LOG(kInfo) << fmt::format("generator trained: {} steps; checkpoints in {}", trainer.state().global_step,
                                      (job.run().root() / "checkpoints").string());
  }
  return code;
}

}  // namespace

void register_train_generator_command(CommandRegistry& registry, const GlobalOptions& options) {
  auto* group = registry.group("train", "Train models (launch under mpirun/srun for data parallelism)");
  add_job_command(registry, group, "generator",
                  "Train the conditional diffusion generator: mpirun -np N skelaug train generator --config FILE "
                  "[key=value ...]",
                  options, train_generator);
}

}  // namespace skelaug::launcher
