#include "skelaug/models/batch_norm.h"

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include <cstdint>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace skelaug::models {
namespace {

// The sum over ranks as an autograd operation: every rank's statistics feed every rank's normalisation, so the
// gradient of a rank's statistics is the sum of what all ranks' losses send back to them, which is the same sum
// applied to the incoming gradients.
class SummedOverRanks : public torch::autograd::Function<SummedOverRanks> {
 public:
  // `sum` is owned by the batch-norm module, which outlives the backward pass of its own forward.
  static torch::Tensor forward(torch::autograd::AutogradContext* context, const torch::Tensor& local,
                               const BatchStatisticsSum* sum) {
    context->saved_data["sum"] = static_cast<std::int64_t>(reinterpret_cast<std::intptr_t>(sum));
    auto total = local.contiguous().clone();
    (*sum)(total);
    return total;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* context,
                                               torch::autograd::tensor_list gradients) {
    const auto* sum =
        reinterpret_cast<const BatchStatisticsSum*>(static_cast<std::intptr_t>(context->saved_data["sum"].toInt()));
    auto total = gradients[0].contiguous().clone();
    (*sum)(total);
    return {total, torch::Tensor()};
  }
};

}  // namespace

SyncBatchNormImpl::SyncBatchNormImpl(std::int64_t channels, double eps, double momentum)
    : channels_(channels), eps_(eps), momentum_(momentum) {
  weight = register_parameter("weight", torch::ones({channels}));
  bias = register_parameter("bias", torch::zeros({channels}));
  running_mean = register_buffer("running_mean", torch::zeros({channels}));
  running_var = register_buffer("running_var", torch::ones({channels}));
  num_batches_tracked = register_buffer("num_batches_tracked", torch::zeros({}, torch::kLong));
}

void SyncBatchNormImpl::pretty_print(std::ostream& stream) const {
  stream << "skelaug::models::SyncBatchNorm(" << channels_ << ", eps=" << eps_ << ", momentum=";
  if (momentum_) {
    stream << *momentum_;
  } else {
    stream << "cumulative";
  }
  stream << (sum_ ? ", synchronised" : "") << ")";
}

void SyncBatchNormImpl::reset_running_stats() {
  torch::NoGradGuard no_grad;
  running_mean.zero_();
  running_var.fill_(1);
  num_batches_tracked.zero_();
}

double SyncBatchNormImpl::running_factor() const {
  return momentum_ ? *momentum_ : 1.0 / static_cast<double>(num_batches_tracked.item<std::int64_t>());
}

torch::Tensor SyncBatchNormImpl::forward(const torch::Tensor& input) {
  if (input.dim() < 2 || input.size(1) != channels_) {
    throw std::invalid_argument("SyncBatchNorm: expected [B, " + std::to_string(channels_) + ", ...], got " +
                                std::to_string(input.dim()) + " dimensions with " +
                                (input.dim() >= 2 ? std::to_string(input.size(1)) : std::string("no")) + " channels");
  }
  if (is_training()) {
    torch::NoGradGuard no_grad;
    num_batches_tracked.add_(1);
  }
  if (is_training() && sum_) return synchronised(input);
  return at::batch_norm(input, weight, bias, running_mean, running_var, is_training(),
                        is_training() ? running_factor() : 0.0, eps_, /*cudnn_enabled=*/true);
}

torch::Tensor SyncBatchNormImpl::synchronised(const torch::Tensor& input) {
  std::vector<std::int64_t> reduced{0};
  std::vector<std::int64_t> shape(static_cast<std::size_t>(input.dim()), 1);
  shape[1] = channels_;
  for (std::int64_t d = 2; d < input.dim(); ++d) reduced.push_back(d);

  // Per-channel sums and sums of squares and the count, in float64: the variance is a difference of two moments.
  const auto local = at::cat({input.sum(reduced, false, at::kDouble), input.square().sum(reduced, false, at::kDouble),
                              at::full({1}, static_cast<double>(input.numel() / channels_),
                                       input.options().dtype(at::kDouble))});
  const auto total = SummedOverRanks::apply(local, sum_.get());
  const auto count = total.narrow(0, 2 * channels_, 1);
  const auto mean = total.narrow(0, 0, channels_) / count;
  const auto variance = (total.narrow(0, channels_, channels_) / count - mean.square()).clamp_min(0.0);
  const auto inverse_std = (variance + eps_).rsqrt();
  {
    torch::NoGradGuard no_grad;
    const double factor = running_factor();
    const auto unbiased = variance * count / (count - 1).clamp_min(1.0);
    running_mean.mul_(1 - factor).add_(mean.to(running_mean.scalar_type()), factor);
    running_var.mul_(1 - factor).add_(unbiased.to(running_var.scalar_type()), factor);
  }
  const auto type = input.scalar_type();
  return (input - mean.to(type).view(shape)) * (inverse_std.to(type) * weight).view(shape) + bias.view(shape);
}

namespace {

// Calls `visit` on every SyncBatchNorm module of `model`, itself included; returns how many there were.
int for_each_batch_norm(torch::nn::Module& model, const std::function<void(SyncBatchNormImpl&)>& visit) {
  std::vector<torch::nn::Module*> all{&model};
  for (const auto& child : model.modules(/*include_self=*/false)) all.push_back(child.get());
  int found = 0;
  for (auto* module : all) {
    if (auto* norm = dynamic_cast<SyncBatchNormImpl*>(module)) {
      visit(*norm);
      ++found;
    }
  }
  return found;
}

}  // namespace

int synchronise_batch_norm(torch::nn::Module& model, BatchStatisticsSum sum) {
  const auto shared = sum ? std::make_shared<const BatchStatisticsSum>(std::move(sum)) : nullptr;
  return for_each_batch_norm(model, [&](SyncBatchNormImpl& norm) { norm.set_statistics_sum(shared); });
}

int prepare_precise_batch_norm(torch::nn::Module& model) {
  return for_each_batch_norm(model, [](SyncBatchNormImpl& norm) {
    norm.set_momentum(std::nullopt);
    norm.reset_running_stats();
  });
}

}  // namespace skelaug::models
