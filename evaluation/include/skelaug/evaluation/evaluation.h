// skelaug::evaluation: how good a recogniser or a generated set is: classification metrics and the held-out evaluation,
// the generation metrics (FID, accuracy, diversity, multimodality, fidelity statistics) and their protocol.
// This header includes the library's whole public interface; include the single headers where compile time matters.
#pragma once

#include "skelaug/evaluation/classification_metrics.h"
#include "skelaug/evaluation/clip_plausibility.h"
#include "skelaug/evaluation/eval_mode.h"
#include "skelaug/evaluation/evaluation_config.h"
#include "skelaug/evaluation/feature_metrics.h"
#include "skelaug/evaluation/fidelity_statistics.h"
#include "skelaug/evaluation/generated_set_evaluation.h"
#include "skelaug/evaluation/generation_evaluation.h"
#include "skelaug/evaluation/held_out_evaluation.h"
#include "skelaug/evaluation/nearest_clips.h"
#include "skelaug/evaluation/value_lists.h"
