#include "skelaug/training/trainer.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <cmath>

#include "skelaug/core/error.h"
#include "skelaug/core/logging.h"
#include "skelaug/core/preemption.h"
#include "skelaug/core/progress.h"
#include "skelaug/core/seeding.h"
#include "skelaug/data/device_copy.h"

namespace skelaug::training {
namespace {

using Clock = core::Timeline::Clock;

// The sum of every element of every tensor, a float64 scalar on `device`, computed without waiting for the device: it
// is NaN or infinite as soon as one element is (or when finite elements overflow, which is as much a divergence).
torch::Tensor sum_of_all(const std::vector<torch::Tensor>& tensors, const torch::Device& device) {
  std::vector<torch::Tensor> sums{torch::zeros({}, torch::TensorOptions().dtype(torch::kDouble).device(device))};
  for (const auto& tensor : tensors) sums.push_back(tensor.detach().sum().to(torch::kDouble));
  return torch::stack(sums).sum();
}

bool all_finite(const std::vector<torch::Tensor>& parameters, const torch::Device& device) {
  return std::isfinite(sum_of_all(parameters, device).item<double>());
}

// The step's summary, built on the device without waiting for it: [this rank's loss (0 if not finite), whether this
// rank was asked to stop, whether its loss or the averaged gradients are not finite]. Summed over the ranks, it says
// the mean loss, whether to stop and how many ranks saw a non-finite value.
torch::Tensor step_summary(const torch::Tensor& loss_sum, const std::vector<torch::Tensor>& parameters,
                           bool stop_requested) {
  std::vector<torch::Tensor> gradients;
  for (const auto& p : parameters) {
    if (p.grad().defined()) gradients.push_back(p.grad());
  }
  const auto finite = torch::isfinite(loss_sum + sum_of_all(gradients, loss_sum.device()));
  return torch::stack({torch::nan_to_num(loss_sum, 0.0, 0.0, 0.0),
                       torch::full({}, stop_requested ? 1.0 : 0.0, loss_sum.options()),
                       torch::logical_not(finite).to(torch::kDouble)});
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
      checkpoints_(run.checkpoints_folder(), options_.keep_checkpoints),
      timeline_(options_.timeline) {
  if (options_.accumulation < 1) throw std::invalid_argument("Trainer: accumulation must be at least 1");
}

// Buffers such as batch normalisation's running statistics are not reduced with the gradients: each rank updates its
// own from its own batches. A checkpoint keeps rank 0's, and a resumed run broadcasts them to every rank, so every rank
// takes rank 0's before the model is evaluated or saved (DDP's broadcast_buffers, at those points instead of every
// step): the accuracy a multi-rank run reports is that of the weights it saves, and a resumed run reports it again.
void Trainer::synchronize_buffers() { distributed::broadcast_from_root(communicator_, model_.buffers()); }

void Trainer::save_checkpoint() {
  synchronize_buffers();
  if (communicator_.rank() == 0) {
    // A diverged model must never replace good checkpoints (the oldest is pruned for each new one).
    for (auto* module : {&model_, ema}) {
      if (module != nullptr && !all_finite(module->parameters(), options_.device)) {
        throw std::runtime_error(fmt::format("step {}: the model has non-finite weights; no checkpoint written (the "
                                             "last good one stays in {})",
                                             state_.global_step, checkpoints_.directory().string()));
      }
    }
    checkpoints_.save({&model_, &optimizer_, ema}, state_);
    SKELAUG_LOG(kInfo) << fmt::format("checkpoint at step {} (epoch {}, batch {})", state_.global_step, state_.epoch,
                                      state_.step_in_epoch);
  }
  // No rank may exit (which makes the launcher end the job) before rank 0 has finished writing.
  communicator_.barrier();
}

bool Trainer::resume() {
  if (communicator_.rank() == 0) {
    for (const auto& removed : checkpoints_.remove_temporaries()) {
      SKELAUG_LOG(kWarning) << fmt::format("removed {}, left by a checkpoint writer that was stopped mid-write",
                                           removed.string());
    }
  }
  communicator_.barrier();  // nobody lists the directory while rank 0 cleans it
  if (options_.resume != ResumeMode::kNever) {
    if (const auto resumed = checkpoints_.load_newest_valid({&model_, &optimizer_, ema})) {
      state_ = resumed->state;
      SKELAUG_LOG(kInfo) << fmt::format("resumed from {} at step {}", resumed->file.string(), state_.global_step);
    } else if (options_.resume == ResumeMode::kMust) {
      throw core::UserError(fmt::format("train.resume=must: {} holds no checkpoint to continue from",
                                        checkpoints_.directory().string()));
    }
  }
  // Every rank must continue from the same step (a checkpoint one rank could read and another not would split them);
  // the same exchange tells every rank whether a stop signal reached any of them while the job was being set up.
  const std::int64_t signalled = core::PreemptionFlag::received() != 0 ? 1 : 0;
  const auto gathered =
      communicator_.all_gather(torch::tensor({state_.global_step, signalled}, torch::kLong).to(options_.device)).cpu();
  for (std::int64_t rank = 0; rank < gathered.size(0); ++rank) {
    if (gathered[rank][0].item<std::int64_t>() != state_.global_step) {
      throw std::runtime_error(fmt::format("rank {} resumes at step {} but rank {} at step {}: the ranks read "
                                           "different checkpoints in {}",
                                           rank, gathered[rank][0].item<std::int64_t>(), communicator_.rank(),
                                           state_.global_step, checkpoints_.directory().string()));
    }
  }
  return gathered.select(1, 1).sum().item<std::int64_t>() > 0;
}

bool Trainer::any_rank_signalled() {
  auto flag = torch::tensor({core::PreemptionFlag::received() != 0 ? 1.0f : 0.0f}).to(options_.device);
  communicator_.all_reduce(flag, distributed::ReduceOp::kMax);
  return flag.cpu().item<float>() > 0;
}

int Trainer::fit(data::SkeletonLoader& loader, const LossFunction& loss) {
  const core::PreemptionFlag preemption;  // (the job usually holds one already: guards nest)
  if (resume()) {
    // Nothing was trained since the newest checkpoint (if any): stopping now loses nothing.
    SKELAUG_LOG(kWarning) << fmt::format("a stop signal reached the job before training (re)started at step {}; "
                                         "exiting for requeue",
                                         state_.global_step);
    return core::kPreempted;
  }
  std::vector<torch::Tensor> replicated = model_.parameters();
  for (const auto& buffer : model_.buffers()) replicated.push_back(buffer);
  distributed::broadcast_from_root(communicator_, replicated);
  distributed::GradientReducer reducer(model_.parameters(), communicator_, options_.reducer, &timeline_);

  const auto steps_per_epoch = loader.steps_per_epoch();
  const auto rank = static_cast<std::uint64_t>(communicator_.rank());
  int exit_code = core::kSuccess;
  bool done = false;
  std::int64_t nonfinite_in_a_row = 0;
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
      // The loss stays on the device until the step's one exchange: reading it per micro-batch would make the host
      // wait for each backward pass before launching the next forward.
      auto loss_sum = torch::zeros({}, torch::TensorOptions().dtype(torch::kDouble).device(options_.device));
      std::int64_t samples = 0;
      for (std::int64_t m = 0; m < micro_batches; ++m) {
        auto batch = loader.next();
        if (!batch) throw std::logic_error("Trainer: the loader ended before its announced number of steps");
        samples += batch->labels.size(0);
        const auto forward_start = Clock::now();
        torch::Tensor value;
        {
          const AutocastGuard autocast(options_.device, options_.precision);
          value = loss(data::to_device(*batch, options_.device)).to(torch::kFloat) / static_cast<double>(micro_batches);
        }
        const auto backward_start = Clock::now();
        timeline_.record("forward", "compute", 0, forward_start, backward_start);
        reducer.prepare(m == micro_batches - 1);
        value.backward();
        timeline_.record("backward", "compute", 0, backward_start, Clock::now());
        loss_sum += value.detach().to(torch::kDouble);
      }
      const auto reduce_start = Clock::now();
      reducer.finish();
      const auto summary_start = Clock::now();
      timeline_.record("wait for gradients", "communication", 0, reduce_start, summary_start);

      // One all-reduce for the mean loss, whether any rank was asked to stop, and whether any rank's loss or the
      // averaged gradients are not finite: every rank then takes the same decision about the update. Reading its
      // result is the step's only wait for the device, and the update cannot be decided without it.
      auto shared = step_summary(loss_sum, model_.parameters(), core::PreemptionFlag::received() != 0);
      communicator_.all_reduce(shared, distributed::ReduceOp::kSum);
      const auto summary = shared.to(torch::kCPU);
      const double* const totals = summary.data_ptr<double>();
      const auto optimizer_start = Clock::now();
      timeline_.record("step summary", "communication", 0, summary_start, optimizer_start);
      const bool skipped = totals[2] > 0;
      if (skipped) {
        optimizer_.zero_grad();
        ++nonfinite_in_a_row;
        const auto what = fmt::format("step {}: the loss or the gradients are not finite (NaN or infinite) on {} "
                                      "rank(s)", state_.global_step + 1, totals[2]);
        if (options_.nonfinite == NonFinitePolicy::kStop) {
          throw std::runtime_error(what + "; stopping before the update (train.nonfinite=stop; the last checkpoint "
                                          "stays in " + checkpoints_.directory().string() + ")");
        }
        if (nonfinite_in_a_row > options_.max_nonfinite_skips) {
          throw std::runtime_error(fmt::format("{}; {} such steps in a row, more than train.nonfinite_max_skips={}: "
                                               "stopping (the last checkpoint stays in {})",
                                               what, nonfinite_in_a_row, options_.max_nonfinite_skips,
                                               checkpoints_.directory().string()));
        }
        SKELAUG_LOG(kWarning) << what << "; its update is skipped (train.nonfinite=skip)";
      } else {
        nonfinite_in_a_row = 0;
        optimizer_.step();
        optimizer_.zero_grad();
      }
      timeline_.record("optimizer", "compute", 0, optimizer_start, Clock::now());
      state_.step_in_epoch += micro_batches;
      ++state_.global_step;

      const double mean_loss = skipped ? std::nan("") : totals[0] / communicator_.size();
      const double seconds = std::chrono::duration<double>(Clock::now() - step_start).count();
      if (metrics_ != nullptr) {
        nlohmann::json record{{"event", "train_step"}, {"step", state_.global_step}, {"epoch", state_.epoch},
                              {"loss", skipped ? nlohmann::json(nullptr) : nlohmann::json(mean_loss)},
                              {"seconds", seconds},
                              {"lr", optimizer_.param_groups().front().options().get_lr()},
                              {"samples_per_s", static_cast<double>(samples * communicator_.size()) / seconds}};
        if (skipped) record["skipped"] = "nonfinite";
        metrics_->write(std::move(record));
      }
      progress.advance(micro_batches, skipped ? "update skipped (non-finite)" : fmt::format("loss {:.4f}", mean_loss));
      if (after_step) after_step(state_);

      if (totals[1] > 0) {
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
      if (after_epoch) {
        synchronize_buffers();
        after_epoch(state_);
        // A signal during the epoch's evaluation stops the job here, not a training step later.
        if (any_rank_signalled()) {
          SKELAUG_LOG(kWarning) << "a stop signal reached the job: saving a checkpoint and exiting for requeue";
          save_checkpoint();
          exit_code = core::kPreempted;
          done = true;
        }
      }
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
