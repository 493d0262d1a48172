#include "skelaug/training/exponential_moving_average.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <stdexcept>

namespace skelaug::training {
namespace {

void check_same_layout(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b, const char* what) {
  bool same = a.size() == b.size();
  for (std::size_t i = 0; same && i < a.size(); ++i) same = a[i].sizes() == b[i].sizes();
  if (!same) {
    throw std::invalid_argument(fmt::format("ExponentialMovingAverage: the average's {} do not match the model's", what));
  }
}

}  // namespace

ExponentialMovingAverage::ExponentialMovingAverage(torch::nn::Module& model, torch::nn::Module& average, double decay)
    : average_(average), current_(model.parameters()), averaged_(average.parameters()), decay_(decay) {
  check_same_layout(current_, averaged_, "parameters");
  auto averaged_buffers = average.buffers();
  const auto current_buffers = model.buffers();
  check_same_layout(current_buffers, averaged_buffers, "buffers");
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < averaged_.size(); ++i) averaged_[i].copy_(current_[i]);
  for (std::size_t i = 0; i < averaged_buffers.size(); ++i) averaged_buffers[i].copy_(current_buffers[i]);
}

void ExponentialMovingAverage::update() {
  torch::NoGradGuard no_grad;
  // Two multi-tensor operations for the whole model (fused kernels on CUDA) instead of two kernels per tensor; on the
  // CPU they run the same per-tensor arithmetic as mul_ and add_.
  at::_foreach_mul_(averaged_, decay_);
  at::_foreach_add_(averaged_, current_, 1.0 - decay_);
}

}  // namespace skelaug::training
