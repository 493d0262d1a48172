#include "skelaug/evaluation/held_out_evaluation.h"

#include <torch/torch.h>

#include "skelaug/evaluation/eval_mode.h"

namespace skelaug::evaluation {

ConfusionMatrix evaluate_held_out(models::RecognizerImpl& model, data::SkeletonLoader& loader,
                                  const models::RecognizerInputs& inputs, const c10::Device& device,
                                  distributed::Communicator& communicator) {
  ConfusionMatrix confusion(model.options().num_classes);
  {
    const EvalModeGuard eval(model);
    torch::NoGradGuard no_grad;
    loader.start_epoch(0);
    while (auto batch = loader.next()) {
      if (batch->labels.size(0) == 0) continue;  // this rank's share ran out; the others still step
      const auto joints = batch->joints.to(device);
      const auto mask = batch->mask.to(device);
      confusion.add(model.forward(inputs(joints, mask), mask), batch->labels);
    }
  }
  auto counts = confusion.counts().to(device);
  communicator.all_reduce(counts, distributed::ReduceOp::kSum);
  confusion.set_counts(counts.cpu());
  return confusion;
}

}  // namespace skelaug::evaluation
