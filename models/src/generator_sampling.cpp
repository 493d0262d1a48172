#include "skelaug/models/generator_sampling.h"

#include <torch/torch.h>

#include <functional>
#include <optional>

#include "skelaug/models/dropout.h"

namespace skelaug::models {

at::Tensor guided_x0(const at::Tensor& conditional, const at::Tensor& unconditional, double scale) {
  return unconditional + scale * (conditional - unconditional);
}

void set_sampling_dropout(GeneratorImpl& model, double dropout) {
  model.eval();
  for (const auto& module : model.modules(/*include_self=*/false)) {
    if (auto* layer = dynamic_cast<CounterDropoutImpl*>(module.get())) {
      layer->set_p(dropout);
      layer->train(dropout > 0);
    }
  }
}

SamplingModeGuard::SamplingModeGuard(GeneratorImpl& model, double dropout) {
  training_.emplace_back(&model, model.is_training());
  for (const auto& module : model.modules(/*include_self=*/false)) {
    training_.emplace_back(module.get(), module->is_training());
    if (auto* layer = dynamic_cast<CounterDropoutImpl*>(module.get())) dropout_.emplace_back(layer, layer->p());
  }
  set_sampling_dropout(model, dropout);
}

SamplingModeGuard::~SamplingModeGuard() {
  for (const auto& [layer, p] : dropout_) layer->set_p(p);
  // train(flag) recurses into the children; modules() lists parents before their children, so in this order every
  // module ends with its own flag.
  for (const auto& [module, was_training] : training_) module->train(was_training);
}

X0Predictor make_x0_predictor(Generator& model, const at::Tensor& labels, const at::Tensor& exemplar,
                              const at::Tensor& exemplar_mask, std::int64_t length, double guidance,
                              bool every_step) {
  const auto& architecture = model->options();
  const auto batch = labels.size(0);
  const auto mask =
      torch::ones({batch, length}, torch::TensorOptions().dtype(torch::kFloat).device(labels.device()));
  const bool guide = architecture.conditioning == Conditioning::kLabel && guidance != 1.0;
  const auto no_label = torch::full_like(labels, architecture.num_classes);
  // The conditions for every step, or undefined tensors when each step must draw its own dropout noise.
  at::Tensor conditional, unconditional;
  if (!every_step && model->condition_is_deterministic()) {
    torch::NoGradGuard no_grad;
    conditional = model->condition(labels, exemplar, exemplar_mask);
    if (guide) unconditional = model->condition(no_label, exemplar, exemplar_mask);
  }
  return [=](const at::Tensor& x_t, const at::Tensor& t) mutable {
    const auto predict = [&](const at::Tensor& cached, const at::Tensor& step_labels) {
      const auto condition = cached.defined() ? cached : model->condition(step_labels, exemplar, exemplar_mask);
      return model->denoise(x_t, t, condition, mask);
    };
    auto x0 = predict(conditional, labels);
    if (!guide) return x0;
    return guided_x0(x0, predict(unconditional, no_label), guidance);
  };
}

namespace {

// Runs `sampler` with the predictor for these conditions, in sampling mode, with the dropout seeding of `options`.
at::Tensor in_sampling_mode(Generator& model, const at::Tensor& labels, const at::Tensor& exemplar,
                            const at::Tensor& exemplar_mask, std::int64_t length, const GenerationOptions& options,
                            const std::function<at::Tensor(const X0Predictor&)>& sampler) {
  const SamplingModeGuard sampling_mode(*model, options.dropout);
  torch::manual_seed(options.sampler.seed);  // the dropout masks, without row seeds
  // With row seeds, each row's dropout masks are keyed by its seed too (on the CPU; on GPUs dropout is LibTorch's).
  std::optional<DropoutRowSeeds> row_dropout;
  if (!options.sampler.row_seeds.empty() && options.dropout > 0) row_dropout.emplace(options.sampler.row_seeds);
  std::optional<DropoutSharedOverFrames> shared_over_frames;
  if (options.dropout_shared_over_frames) shared_over_frames.emplace();
  return sampler(make_x0_predictor(model, labels, exemplar, exemplar_mask, length, options.guidance,
                                   options.condition_every_step));
}

}  // namespace

at::Tensor generate(Generator& model, const DiffusionSchedule& schedule, const at::Tensor& labels,
                    const at::Tensor& exemplar, const at::Tensor& exemplar_mask, std::int64_t length,
                    const GenerationOptions& options, const SamplingProgress& progress) {
  return in_sampling_mode(model, labels, exemplar, exemplar_mask, length, options, [&](const X0Predictor& predict) {
    return sample(schedule, predict, {labels.size(0), length, model->options().feature_width()}, labels.device(),
                  options.sampler, progress);
  });
}

at::Tensor regenerate(Generator& model, const DiffusionSchedule& schedule, const at::Tensor& x0, const at::Tensor& labels,
                      const at::Tensor& exemplar, const at::Tensor& exemplar_mask, std::int64_t start,
                      const GenerationOptions& options) {
  return in_sampling_mode(model, labels, exemplar, exemplar_mask, x0.size(1), options, [&](const X0Predictor& predict) {
    return renoise_and_denoise(schedule, predict, x0, start, options.sampler);
  });
}

}  // namespace skelaug::models
