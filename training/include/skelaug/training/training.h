// skelaug::training: the data-parallel training loop (checkpoints, resume, preemption, autocast, EMA) and the training
// jobs of the generator and the recognisers.
// This header includes the library's whole public interface; include the single headers where compile time matters.
#pragma once

#include "skelaug/training/autocast.h"
#include "skelaug/training/checkpoint.h"
#include "skelaug/training/exemplar_picker.h"
#include "skelaug/training/exponential_moving_average.h"
#include "skelaug/training/generator_training.h"
#include "skelaug/training/held_out_reports.h"
#include "skelaug/training/rank_agreement.h"
#include "skelaug/training/recognizer_training.h"
#include "skelaug/training/resume_policy.h"
#include "skelaug/training/trainer.h"
#include "skelaug/training/training_config.h"
#include "skelaug/training/training_world.h"
