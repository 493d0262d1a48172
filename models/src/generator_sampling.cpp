#include "skelaug/models/generator_sampling.h"

#include "skelaug/models/dropout.h"

#include <torch/torch.h>

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

at::Tensor generate(Generator& model, const DiffusionSchedule& schedule, const at::Tensor& labels,
                    const at::Tensor& exemplar, const at::Tensor& exemplar_mask, std::int64_t length,
                    const GenerationOptions& options, const SamplingProgress& progress) {
  const auto& architecture = model->options();
  const auto batch = labels.size(0);
  const auto device = labels.device();
  const auto mask = torch::ones({batch, length}, torch::TensorOptions().dtype(torch::kFloat).device(device));
  const bool guide = architecture.conditioning == Conditioning::kLabel && options.guidance != 1.0;
  const auto no_label = torch::full_like(labels, architecture.num_classes);
  torch::manual_seed(options.sampler.seed);  // the dropout masks
  const X0Predictor predict = [&](const at::Tensor& x_t, const at::Tensor& t) {
    auto conditional = model->forward(x_t, t, labels, exemplar, exemplar_mask, mask);
    if (!guide) return conditional;
    return guided_x0(conditional, model->forward(x_t, t, no_label, exemplar, exemplar_mask, mask), options.guidance);
  };
  return sample(schedule, predict, {batch, length, architecture.feature_width()}, device, options.sampler, progress);
}

}  // namespace skelaug::models
