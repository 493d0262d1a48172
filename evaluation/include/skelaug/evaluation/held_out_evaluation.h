#pragma once

#include <c10/core/Device.h>

#include "skelaug/data/skeleton_loader.h"
#include "skelaug/distributed/communicator.h"
#include "skelaug/evaluation/classification_metrics.h"
#include "skelaug/models/input_streams.h"
#include "skelaug/models/recognizer.h"

namespace skelaug::evaluation {

// A recogniser's confusion matrix on held-out clips, evaluated by every rank of a job together: each rank runs its
// share of `loader` (built with data::evaluation_options, so every clip is seen exactly once over the ranks) in eval
// mode without gradients, and the counts are summed over `communicator`. Every rank gets the whole result. A
// collective: every rank must call it.
ConfusionMatrix evaluate_held_out(models::RecognizerImpl& model, data::SkeletonLoader& loader,
                                  const models::RecognizerInputs& inputs, const c10::Device& device,
                                  distributed::Communicator& communicator);

}  // namespace skelaug::evaluation
