#include "skelaug/training/recognizer_training.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "skelaug/core/error.h"
#include "skelaug/core/logging.h"
#include "skelaug/evaluation/held_out_evaluation.h"
#include "skelaug/models/batch_norm.h"
#include "skelaug/models/checkpoint_weights.h"
#include "skelaug/models/input_streams.h"
#include "skelaug/training/held_out_reports.h"
#include "skelaug/training/rank_agreement.h"
#include "skelaug/training/resume_policy.h"

namespace skelaug::training {

RecognizerTrainingOptions recognizer_training_options(const core::Config& config) {
  return {data::data_options(config), train_options(config), models::recognizer_settings(config)};
}

std::filesystem::path load_initial_weights(torch::nn::Module& model, const std::filesystem::path& init_run) {
  const auto checkpoint = models::final_checkpoint(init_run, "recognizer.init");
  try {
    models::load_checkpoint_weights(checkpoint, models::kModelWeights, model);
  } catch (const core::UserError& error) {
    throw core::UserError(fmt::format("recognizer.init: {} (is {} a run of the same recogniser settings and classes?)",
                                      error.what(), init_run.string()));
  }
  return checkpoint;
}

int train_recognizer(const RecognizerTrainingOptions& options, const TrainingWorld& world) {
  const auto training_set = data::load_training_set(options.data);
  const auto test_set = data::load_test_set(options.data);
  const auto& dataset = *training_set.dataset;
  require_same_on_every_rank(world, training_set_fingerprint(dataset, training_set.clips),
                             "the training clips (data.train, data.extra, data.fraction, run.seed)");
  if (test_set.dataset->topology != dataset.topology || test_set.dataset->class_names != dataset.class_names) {
    throw core::UserError("data.test: its topology or class names differ from data.train's");
  }
  const auto batch_per_rank = options.train.per_rank_batch(world.size());
  const auto architecture = options.recognizer.for_dataset(dataset);
  torch::manual_seed(options.train.trainer.seed);  // the same initial weights every run
  const auto model = models::make_configured_recognizer(architecture);
  if (!options.recognizer.init.empty()) {
    if (continues_own_run(options.train.trainer.resume, world.run)) {
      // Trainer::fit replaces the weights with the run's own checkpoint: the initial run is not read again (it may be
      // gone by now), and initial_weights stays recorded once, by the start that read it.
      SKELAUG_LOG(kInfo) << "recognizer.init: not read, the run continues from its own checkpoint";
    } else {
      const auto checkpoint = load_initial_weights(*model, options.recognizer.init);
      SKELAUG_LOG(kInfo) << fmt::format("recognizer.init: initial weights from {}", checkpoint.string());
      world.record(
          {{"event", "initial_weights"}, {"run", options.recognizer.init}, {"checkpoint", checkpoint.string()}});
    }
  }
  model->to(world.device);
  if (options.recognizer.sync_batch_norm && world.size() > 1) {
    auto& communicator = world.communicator;
    const int synchronised = models::synchronise_batch_norm(*model, [&communicator](torch::Tensor& tensor) {
      communicator.all_reduce(tensor, distributed::ReduceOp::kSum);
    });
    SKELAUG_LOG(kInfo) << fmt::format("batch norm: {} layer(s) take their statistics over all {} ranks",
                                      synchronised, world.size());
  }
  std::int64_t parameters = 0;
  for (const auto& p : model->parameters()) parameters += p.numel();
  std::vector<std::string> streams;
  for (const auto stream : architecture.streams) streams.push_back(models::input_stream_name(stream));
  SKELAUG_LOG(kInfo) << fmt::format(
      "recognizer {} ({} parameters, streams {}), {} classes, topology {}; training clips: {} real ({} of split '{}')"
      "{} + {} extra; held-out clips: {}",
      architecture.architecture, parameters, fmt::join(streams, "+"), architecture.num_classes, dataset.topology,
      training_set.real_clips, options.data.fraction, options.data.train_split,
      training_set.real_copies > 1 ? fmt::format(" x {} copies", training_set.real_copies) : std::string(),
      training_set.extra_clips, test_set.clips.size());
  if (!training_set.classes_without_extra.empty()) {
    SKELAUG_LOG(kWarning) << fmt::format("data.extra_by_class: no extra clip of class(es) {} to draw; their share of "
                                         "the extra clips stays empty",
                                         fmt::join(training_set.classes_without_extra, ", "));
  }
  // The real clips' indices into data.train: which real clips a run saw is provenance (a study checks its cells).
  const std::vector<std::int64_t> real_clip_indices(training_set.clips.begin(),
                                                    training_set.clips.begin() + training_set.real_clips);
  world.record({{"event", "training_set"}, {"real_clips", training_set.real_clips},
                {"real_copies", training_set.real_copies}, {"extra_clips", training_set.extra_clips},
                {"classes_without_extra", training_set.classes_without_extra},
                {"test_clips", test_set.clips.size()}, {"parameters", parameters},
                {"architecture", architecture.architecture},
                {"real_clip_indices", real_clip_indices}});

  auto loader_options = options.data.loader;
  loader_options.batch_size = batch_per_rank;
  loader_options.rank = world.rank();
  loader_options.world_size = world.size();
  loader_options.clips = training_set.clips;
  data::SkeletonLoader loader(training_set.dataset, loader_options);
  const auto test_options =
      data::evaluation_options(loader_options, test_set.clips, batch_per_rank, world.rank(), world.size());
  data::SkeletonLoader test_loader(test_set.dataset, test_options);
  const models::RecognizerInputs inputs(dataset.topology, architecture.streams);

  const auto& schedule = options.train.learning_rate;
  torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(schedule.at(0, 0.0))
                                                       .momentum(options.recognizer.momentum)
                                                       .nesterov(options.recognizer.momentum > 0)
                                                       .weight_decay(options.train.weight_decay));
  auto trainer_options = options.train.trainer;
  trainer_options.device = world.device;
  Trainer trainer(*model, optimizer, world.communicator, world.run, world.metrics, trainer_options);
  trainer.after_step = [&](const TrainingState& state) {
    const double lr = schedule.at(state.epoch, options.train.progress(state, loader.steps_per_epoch()));
    for (auto& group : optimizer.param_groups()) static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
  };

  HeldOutReports reports(world, dataset.class_names, architecture.architecture);
  std::int64_t evaluated_at = -1;
  const auto evaluate_and_report = [&](const TrainingState& state) {
    const auto confusion =
        evaluation::evaluate_held_out(*model, test_loader, inputs, world.device, world.communicator);
    evaluated_at = state.global_step;
    reports.add(confusion, state, *model);
  };
  trainer.after_epoch = [&](const TrainingState& state) {
    if (state.epoch % options.recognizer.evaluate_every_epochs == 0) evaluate_and_report(state);
  };

  const auto cross_entropy =
      torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(options.recognizer.label_smoothing);
  const int code = trainer.fit(loader, [&](const data::Batch& batch) {
    model->train();
    const auto logits = model->forward(inputs(batch.joints, batch.mask), batch.mask);
    return torch::nn::functional::cross_entropy(logits, batch.labels, cross_entropy);
  });
  if (code != core::kSuccess) return code;
  // A run cut short by train.max_steps ends mid-epoch: its final weights are evaluated too.
  if (evaluated_at != trainer.state().global_step) evaluate_and_report(trainer.state());
  SKELAUG_LOG(kInfo) << fmt::format("recognizer trained: {} steps; reports in {}, best weights in {}",
                                    trainer.state().global_step, reports.directory().string(),
                                    reports.best_weights_directory().string());
  return code;
}

}  // namespace skelaug::training
