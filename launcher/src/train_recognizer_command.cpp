// `skelaug train recognizer`: data-parallel training of a skeleton action recogniser (ST-GCN++, CTR-GCN, MS-G3D,
// BlockGCN, or the a2m_gru feature recogniser of the generation metrics) on real clips, optionally mixed with extra
// (generated) ones, evaluated on the held-out split after every epoch.
#include <fmt/format.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "skelaug/core/atomic_file.h"
#include "skelaug/core/error.h"
#include "skelaug/core/logging.h"
#include "skelaug/data/data_config.h"
#include "skelaug/data/topology.h"
#include "skelaug/launcher/command_registry.h"
#include "skelaug/launcher/job.h"
#include "skelaug/models/batch_norm.h"
#include "skelaug/models/input_streams.h"
#include "skelaug/models/recognizer_config.h"
#include "skelaug/training/classification_metrics.h"
#include "skelaug/training/eval_mode.h"
#include "skelaug/training/training_config.h"

namespace skelaug::launcher {
namespace {

// The held-out evaluation, split over the ranks (each rank a disjoint share, every clip exactly once) and summed.
training::ConfusionMatrix evaluate(models::RecognizerImpl& model, data::SkeletonLoader& loader,
                                   const models::RecognizerInputs& inputs, const torch::Device& device,
                                   dist::Communicator& communicator) {
  training::ConfusionMatrix confusion(model.options().num_classes);
  {
    const training::EvalModeGuard eval(model);
    torch::NoGradGuard no_grad;
    loader.start_epoch(0);
    while (auto batch = loader.next()) {
      if (batch->labels.size(0) == 0) continue;
      const auto joints = batch->joints.to(device);
      const auto mask = batch->mask.to(device);
      confusion.add(model.forward(inputs(joints, mask), mask), batch->labels);
    }
  }
  auto counts = confusion.counts().to(device);
  communicator.all_reduce(counts, dist::ReduceOp::kSum);
  confusion.set_counts(counts.cpu());
  return confusion;
}

// The best top-1 of earlier epochs of this run (a resumed run keeps its best), from <run>/evaluation/best.json.
double previous_best(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file)) return -1;
  try {
    std::ifstream in(file);
    return nlohmann::json::parse(in).at("top1").get<double>();
  } catch (const std::exception& error) {
    throw core::UserError(fmt::format("{}: unreadable evaluation report ({})", file.string(), error.what()));
  }
}

int train_recognizer(Job& job) {
  const auto& config = job.config();
  const auto training_set = data::load_training_set(config);
  const auto test_set = data::load_test_set(config);
  const auto& dataset = *training_set.dataset;
  if (test_set.dataset->topology != dataset.topology || test_set.dataset->class_names != dataset.class_names) {
    throw core::UserError("data.test: its topology or class names differ from data.train's");
  }
  const torch::Device device(job.binding().device);
  const auto batch_per_rank = training::per_rank_batch(config, job.mpi().size());
  const auto options = models::recognizer_options(config, dataset);
  torch::manual_seed(static_cast<std::uint64_t>(config.get_int("run.seed")));  // the same initial weights every run
  std::shared_ptr<models::RecognizerImpl> model;
  try {
    model = models::make_recognizer(options);
  } catch (const std::invalid_argument& error) {
    throw core::UserError(fmt::format("recognizer: {}", error.what()));
  }
  model->to(device);
  if (config.get_bool("recognizer.sync_batch_norm") && job.mpi().size() > 1) {
    auto& communicator = job.communicator();
    const int synchronised = models::synchronise_batch_norm(
        *model, [&communicator](torch::Tensor& tensor) { communicator.all_reduce(tensor, dist::ReduceOp::kSum); });
    SKELAUG_LOG(kInfo) << fmt::format("batch norm: {} layer(s) take their statistics over all {} ranks",
                                      synchronised, job.mpi().size());
  }
  std::int64_t parameters = 0;
  for (const auto& p : model->parameters()) parameters += p.numel();
  SKELAUG_LOG(kInfo) << fmt::format(
      "recognizer {} ({} parameters, streams {}), {} classes, topology {}; training clips: {} real ({} of split '{}') "
      "+ {} extra; held-out clips: {}",
      options.architecture, parameters, fmt::join(config.get_string_list("recognizer.streams"), "+"),
      options.num_classes, dataset.topology, training_set.real_clips, config.get_float("data.fraction"),
      config.get_string("data.train_split"), training_set.extra_clips, test_set.clips.size());

  job.record({{"event", "training_set"}, {"real_clips", training_set.real_clips},
              {"extra_clips", training_set.extra_clips}, {"test_clips", test_set.clips.size()},
              {"parameters", parameters}, {"architecture", options.architecture}});

  auto loader_options = data::loader_options(config);
  loader_options.batch_size = batch_per_rank;
  loader_options.rank = job.mpi().rank();
  loader_options.world_size = job.mpi().size();
  loader_options.clips = training_set.clips;
  data::SkeletonLoader loader(training_set.dataset, loader_options);
  const auto test_options =
      data::evaluation_options(loader_options, test_set.clips, batch_per_rank, job.mpi().rank(), job.mpi().size());
  data::SkeletonLoader test_loader(test_set.dataset, test_options);
  const models::RecognizerInputs inputs(dataset.topology, options.streams);

  torch::optim::SGD optimizer(model->parameters(),
                              torch::optim::SGDOptions(training::learning_rate(config, 0, 0.0))
                                  .momentum(config.get_float("recognizer.momentum"))
                                  .nesterov(config.get_float("recognizer.momentum") > 0)
                                  .weight_decay(config.get_float("train.weight_decay")));
  training::Trainer trainer(*model, optimizer, job.communicator(), job.run(), job.metrics(),
                            training::trainer_options(config, device));
  trainer.after_step = [&](const training::TrainingState& state) {
    const double lr = training::learning_rate(config, state.epoch,
                                              training::run_progress(config, state, loader.steps_per_epoch()));
    for (auto& group : optimizer.param_groups()) static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
  };

  const auto reports = job.run().root() / "evaluation";
  double best = job.is_root() ? previous_best(reports / "best.json") : -1;
  training::CheckpointStore best_store(job.run().root() / "best", 1);
  std::int64_t evaluated_at = -1;
  const auto evaluate_and_report = [&](const training::TrainingState& state) {
    const auto confusion = evaluate(*model, test_loader, inputs, device, job.communicator());
    evaluated_at = state.global_step;
    if (!job.is_root()) return;
    auto report = confusion.to_json(dataset.class_names);
    report["epoch"] = state.epoch;
    report["step"] = state.global_step;
    report["architecture"] = options.architecture;
    const auto table = fmt::format("{} after epoch {} (step {}), {} held-out clips\n{}", options.architecture,
                                   state.epoch, state.global_step, confusion.num_samples(),
                                   confusion.to_table(dataset.class_names));
    std::filesystem::create_directories(reports);
    core::write_file_atomically(reports / "last.json", report.dump(2) + "\n");
    core::write_file_atomically(reports / "last.txt", table);
    const bool improved = confusion.top1() > best;
    if (improved) {
      best = confusion.top1();
      best_store.save({model.get(), nullptr, nullptr}, state);
      core::write_file_atomically(reports / "best.json", report.dump(2) + "\n");
      core::write_file_atomically(reports / "best.txt", table);
    }
    job.record({{"event", "evaluation"}, {"epoch", state.epoch}, {"step", state.global_step},
                {"top1", confusion.top1()}, {"top5", confusion.top5()},
                {"mean_class_accuracy", confusion.mean_class_accuracy()}});
    SKELAUG_LOG(kInfo) << fmt::format("after epoch {}: held-out top-1 {:.2f}%, top-5 {:.2f}%, mean class {:.2f}% (best {:.2f}%{})",
                                      state.epoch, 100 * confusion.top1(), 100 * confusion.top5(),
                                      100 * confusion.mean_class_accuracy(), 100 * best, improved ? ", new" : "");
  };
  trainer.after_epoch = evaluate_and_report;

  const int code = trainer.fit(loader, [&](const data::Batch& batch) {
    model->train();
    const auto logits = model->forward(inputs(batch.joints, batch.mask), batch.mask);
    return torch::nn::functional::cross_entropy(
        logits, batch.labels,
        torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(config.get_float("recognizer.label_smoothing")));
  });
  if (code != core::kSuccess) return code;
  // A run cut short by train.max_steps ends mid-epoch: its final weights are evaluated too.
  if (evaluated_at != trainer.state().global_step) evaluate_and_report(trainer.state());
  SKELAUG_LOG(kInfo) << fmt::format("recognizer trained: {} steps; reports in {}, best weights in {}",
                                    trainer.state().global_step, reports.string(),
                                    (job.run().root() / "best").string());
  return code;
}

}  // namespace

void register_train_recognizer_command(CommandRegistry& registry, const GlobalOptions& options) {
  auto* group = registry.group("train", "Train models (launch under mpirun/srun for data parallelism)");
  add_job_command(registry, group, "recognizer",
                  "Train an action recogniser (or the a2m_gru feature recogniser): mpirun -np N skelaug train "
                  "recognizer --config FILE [key=value ...]",
                  options, train_recognizer);
}

}  // namespace skelaug::launcher
