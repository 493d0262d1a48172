#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <functional>
#include <memory>
#include <optional>

namespace skelaug::models {

// Sums a tensor over the data-parallel ranks, in place. Every rank calls it in the same order with the same shape.
using BatchStatisticsSum = std::function<void(torch::Tensor&)>;

// Batch normalisation over dimension 1 of [B, C, ...] that can take its training-mode statistics over the whole
// data-parallel batch (SyncBatchNorm). Without a sum it is LibTorch's BatchNorm1d/2d: the same parameters, buffers,
// state-dict names, initialisation and kernel. With one (synchronise_batch_norm), each rank sums per-channel counts,
// sums and sums of squares (float64) over every rank, normalises with the global mean and (biased) variance and
// updates the running statistics with them; the gradient flows back through the same sum, so N ranks compute what
// one rank computes with the global batch, and the running statistics agree on every rank.
class SyncBatchNormImpl : public torch::nn::Module {
 public:
  explicit SyncBatchNormImpl(std::int64_t channels, double eps = 1e-5, double momentum = 0.1);
  torch::Tensor forward(const torch::Tensor& input);
  // Running statistics back to mean 0, variance 1, no batches seen.
  void reset_running_stats();
  // No momentum: the running statistics are the cumulative average over the batches seen since the last reset (as
  // LibTorch's BatchNorm with momentum nullopt; "precise BN" resets, sets this and runs one pass).
  void set_momentum(std::optional<double> momentum) { momentum_ = momentum; }
  // Between steps only: a backward pass still to run calls the sum its forward pass used.
  void set_statistics_sum(std::shared_ptr<const BatchStatisticsSum> sum) { sum_ = std::move(sum); }
  void pretty_print(std::ostream& stream) const override;

  torch::Tensor weight, bias, running_mean, running_var, num_batches_tracked;

 private:
  torch::Tensor synchronised(const torch::Tensor& input);

  // The factor of this batch in the running statistics (momentum, or 1 / batches seen).
  double running_factor() const;

  std::int64_t channels_;
  double eps_;
  std::optional<double> momentum_;
  std::shared_ptr<const BatchStatisticsSum> sum_;
};
TORCH_MODULE(SyncBatchNorm);

// "Precise BN": resets the running statistics of every SyncBatchNorm module of `model` and makes them a cumulative
// average, so that the training-mode passes run next leave exactly those batches' statistics for eval mode. Returns
// how many modules it found.
int prepare_precise_batch_norm(torch::nn::Module& model);

// Gives every SyncBatchNorm module of `model` the sum (an empty one: back to per-rank statistics). Returns how many
// modules it found.
int synchronise_batch_norm(torch::nn::Module& model, BatchStatisticsSum sum);

}  // namespace skelaug::models
