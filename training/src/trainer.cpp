#include "skelaug/training/trainer.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "skelaug/core/error.h"
#include "skelaug/core/logging.h"
#include "skelaug/core/progress.h"
#include "skelaug/core/seeding.h"
#include "skelaug/training/preemption.h"

namespace skelaug::training {
namespace {

using Clock = core::Timeline::Clock;

data::Batch to_device(const data::Batch& batch, const torch::Device& device) {
  if (device.is_cpu()) return batch;
  auto moved = batch;
  moved.joints = batch.joints.to(device, /*non_blocking=*/true);
  moved.mask = batch.mask.to(device, true);
  moved.labels = batch.labels.to(device, true);
  return moved;
}

}  // namespace

Trainer::Trainer(torch::nn::Module& model, torch::optim::Optimizer& optimizer, distributed::Communicator& communicator,
                 const core::RunDirectory& run, core::MetricsWriter* metrics, TrainerOptions options)
    : model_(model),
      optimizer_(optimizer),
      communicator_(communicator),
      run_(run),
      metrics_(metrics),
      options_(std::move(options)),
      checkpoints_(run.root() / "checkpoints", options_.keep_checkpoints),
      timeline_(options_.timeline) {
  if (options_.accumulation < 1) throw std::invalid_argument("Trainer: accumulation must be at least 1");
}

void Trainer::save_checkpoint() {
  if (communicator_.rank() == 0) {
    checkpoints_.save({&model_, &optimizer_, ema}, state_);
    SKELAUG_LOG(kInfo) << fmt::format("checkpoint at step {} (epoch {}, batch {})", state_.global_step, state_.epoch,
                                      state_.step_in_epoch);
  }
  // No rank may exit (which makes the launcher end the job) before rank 0 has finished writing.
  communicator_.barrier();
}

int Trainer::fit(data::SkeletonLoader& loader, const LossFunction& loss) {
  if (options_.resume) {
    if (const auto latest = checkpoints_.latest()) {
      state_ = checkpoints_.load(*latest, {&model_, &optimizer_, ema});
      SKELAUG_LOG(kInfo) << fmt::format("resumed from {} at step {}", latest->string(), state_.global_step);
    }
  }
  std::vector<torch::Tensor> replicated = model_.parameters();
  for (const auto& buffer : model_.buffers()) replicated.push_back(buffer);
  distributed::broadcast_from_root(communicator_, replicated);
  distributed::GradientReducer reducer(model_.parameters(), communicator_, options_.reducer, &timeline_);
  PreemptionFlag preemption;

  const auto steps_per_epoch = loader.steps_per_epoch();
  const auto rank = static_cast<std::uint64_t>(communicator_.rank());
  int exit_code = core::kSuccess;
  bool done = false;
  while (!done && state_.epoch < options_.epochs) {
    loader.start_epoch(state_.epoch, state_.step_in_epoch);
    core::Progress progress(fmt::format("epoch {}", state_.epoch), steps_per_epoch - state_.step_in_epoch,
                            options_.progress_interval_s, communicator_.rank() == 0);
    while (state_.step_in_epoch < steps_per_epoch) {
      if (options_.max_steps > 0 && state_.global_step >= options_.max_steps) {
        done = true;
        break;
      }
      const auto step_start = Clock::now();
      // Randomness inside the model (dropout, diffusion noise) is a function of (seed, step, rank): resumable.
      torch::manual_seed(core::mix_seed(options_.seed, static_cast<std::uint64_t>(state_.global_step), rank));
      const auto micro_batches = std::min(options_.accumulation, steps_per_epoch - state_.step_in_epoch);
      double loss_sum = 0;
      std::int64_t samples = 0;
      for (std::int64_t m = 0; m < micro_batches; ++m) {
        auto batch = loader.next();
        if (!batch) throw std::logic_error("Trainer: the loader ended before its announced number of steps");
        samples += batch->labels.size(0);
        const auto forward_start = Clock::now();
        torch::Tensor value;
        {
          const AutocastGuard autocast(options_.device, options_.precision);
          value = loss(to_device(*batch, options_.device)).to(torch::kFloat) / static_cast<double>(micro_batches);
        }
        const auto backward_start = Clock::now();
        timeline_.record("forward", "compute", 0, forward_start, backward_start);
        reducer.prepare(m == micro_batches - 1);
        value.backward();
        timeline_.record("backward", "compute", 0, backward_start, Clock::now());
        loss_sum += value.item<double>();
      }
      const auto reduce_start = Clock::now();
      reducer.finish();
      const auto optimizer_start = Clock::now();
      timeline_.record("wait for gradients", "communication", 0, reduce_start, optimizer_start);
      optimizer_.step();
      optimizer_.zero_grad();
      timeline_.record("optimizer", "compute", 0, optimizer_start, Clock::now());
      state_.step_in_epoch += micro_batches;
      ++state_.global_step;

      // One all-reduce for the mean loss and whether any rank was asked to stop.
      auto shared = torch::tensor({loss_sum, PreemptionFlag::received() != 0 ? 1.0 : 0.0}, torch::kDouble);
      if (options_.device.is_cuda()) shared = shared.to(torch::kFloat).to(options_.device);
      communicator_.all_reduce(shared, distributed::ReduceOp::kSum);
      shared = shared.cpu().to(torch::kDouble);
      const double mean_loss = shared[0].item<double>() / communicator_.size();
      const double seconds = std::chrono::duration<double>(Clock::now() - step_start).count();
      if (metrics_ != nullptr) {
        metrics_->write({{"event", "train_step"}, {"step", state_.global_step}, {"epoch", state_.epoch},
                         {"loss", mean_loss}, {"seconds", seconds},
                         {"samples_per_s", static_cast<double>(samples * communicator_.size()) / seconds}});
      }
      progress.advance(micro_batches, fmt::format("loss {:.4f}", mean_loss));
      if (after_step) after_step(state_);

      if (shared[1].item<double>() > 0) {
        SKELAUG_LOG(kWarning) << "a stop signal reached the job: saving a checkpoint and exiting for requeue";
        save_checkpoint();
        exit_code = core::kPreempted;
        done = true;
        break;
      }
      if (options_.checkpoint_every > 0 && state_.global_step % options_.checkpoint_every == 0) save_checkpoint();
    }
    if (!done) {
      ++state_.epoch;
      state_.step_in_epoch = 0;
      if (after_epoch) after_epoch(state_);
    }
  }
  if (exit_code == core::kSuccess) save_checkpoint();
  if (exit_code == core::kSuccess && metrics_ != nullptr) {
    // A fingerprint of the trained weights: runs that must agree (world sizes, resumes) can be compared from logs.
    double sum = 0, squares = 0;
    for (const auto& p : model_.parameters()) {
      const auto values = p.detach().to(torch::kCPU, torch::kDouble);
      sum += values.sum().item<double>();
      squares += values.square().sum().item<double>();
    }
    metrics_->write({{"event", "trained"}, {"step", state_.global_step}, {"parameter_sum", sum},
                     {"parameter_l2", std::sqrt(squares)}});
  }
  if (options_.timeline) {
    timeline_.write_chrome_trace(run_.root() / "logs" / fmt::format("timeline-rank{}.json", communicator_.rank()),
                                 communicator_.rank());
  }
  return exit_code;
}

}  // namespace skelaug::training
