#include "skelaug/training/multi_tensor_adamw.h"

#include <ATen/ATen.h>
#include <torch/torch.h>

#include <cmath>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

namespace skelaug::training {
namespace {

// The key of a parameter's state in Optimizer::state(): LibTorch 1.x keys it by the text of the parameter's
// TensorImpl address (c10::guts::to_string, an ostringstream), 2.x by the address itself. The key must be the one
// torch::optim::AdamW uses, so that state saved by either optimiser is found by the other.
template <typename State>
typename State::key_type state_key(const torch::Tensor& parameter) {
  using Key = typename State::key_type;
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream text;
    text << parameter.unsafeGetTensorImpl();
    return text.str();
  } else {
    return Key(parameter.unsafeGetTensorImpl());
  }
}

// The tensors of the parameters that take one update together: one group's parameters at one step count (a parameter
// that had no gradient at some step is a step behind, and its bias corrections differ).
struct UpdateList {
  std::vector<torch::Tensor> parameters, gradients, averages, squared_averages;
  std::vector<torch::optim::AdamWParamState*> states;
};

}  // namespace

MultiTensorAdamW::MultiTensorAdamW(std::vector<torch::Tensor> parameters, torch::optim::AdamWOptions options)
    : torch::optim::AdamW(std::move(parameters), options) {
  if (options.amsgrad()) throw std::invalid_argument("MultiTensorAdamW: amsgrad is not supported");
}

torch::Tensor MultiTensorAdamW::step(LossClosure closure) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure != nullptr) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  auto& states = state();
  using States = std::remove_reference_t<decltype(states)>;
  for (auto& group : param_groups()) {
    const auto& options = static_cast<const torch::optim::AdamWOptions&>(group.options());
    if (options.amsgrad()) throw std::invalid_argument("MultiTensorAdamW: amsgrad is not supported");
    std::map<std::int64_t, UpdateList> by_step;
    for (auto& parameter : group.params()) {
      const auto& gradient = parameter.grad();
      if (!gradient.defined()) continue;
      TORCH_CHECK(!gradient.is_sparse(), "AdamW does not support sparse gradients");
      auto& slot = states[state_key<States>(parameter)];
      if (!slot) {
        auto fresh = std::make_unique<torch::optim::AdamWParamState>();
        fresh->step(0);
        fresh->exp_avg(torch::zeros_like(parameter, at::MemoryFormat::Preserve));
        fresh->exp_avg_sq(torch::zeros_like(parameter, at::MemoryFormat::Preserve));
        slot = std::move(fresh);
      }
      auto& parameter_state = static_cast<torch::optim::AdamWParamState&>(*slot);
      auto& list = by_step[parameter_state.step()];
      list.parameters.push_back(parameter);
      list.gradients.push_back(gradient);
      list.averages.push_back(parameter_state.exp_avg());
      list.squared_averages.push_back(parameter_state.exp_avg_sq());
      list.states.push_back(&parameter_state);
    }
    const double lr = options.lr();
    const auto [beta1, beta2] = options.betas();
    for (auto& [previous_step, list] : by_step) {
      const auto step = previous_step + 1;
      for (auto* parameter_state : list.states) parameter_state->step(step);
      // The order and arithmetic of torch::optim::AdamW::step, one operation at a time over the whole list.
      if (options.weight_decay() != 0) at::_foreach_mul_(list.parameters, 1 - lr * options.weight_decay());
      const double bias_correction1 = 1 - std::pow(beta1, step);
      const double bias_correction2 = 1 - std::pow(beta2, step);
      at::_foreach_mul_(list.averages, beta1);
      at::_foreach_add_(list.averages, list.gradients, 1 - beta1);
      at::_foreach_mul_(list.squared_averages, beta2);
      at::_foreach_addcmul_(list.squared_averages, list.gradients, list.gradients, 1 - beta2);
      auto denominators = at::_foreach_sqrt(list.squared_averages);
      at::_foreach_div_(denominators, std::sqrt(bias_correction2));
      at::_foreach_add_(denominators, options.eps());
      at::_foreach_addcdiv_(list.parameters, list.averages, denominators, -lr / bias_correction1);
    }
  }
  return loss;
}

std::unique_ptr<torch::optim::AdamW> make_adamw(std::vector<torch::Tensor> parameters,
                                                torch::optim::AdamWOptions options, const torch::Device& device) {
  if (device.is_cuda()) return std::make_unique<MultiTensorAdamW>(std::move(parameters), options);
  return std::make_unique<torch::optim::AdamW>(std::move(parameters), options);
}

}  // namespace skelaug::training
