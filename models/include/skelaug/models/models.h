// skelaug::models: the diffusion process and its samplers, the conditional generator, the action recognisers with their
// graphs and input streams, and checkpoint weights.
// This header includes the library's whole public interface; include the single headers where compile time matters.
#pragma once

#include "skelaug/models/attention.h"
#include "skelaug/models/batch_norm.h"
#include "skelaug/models/checkpoint_weights.h"
#include "skelaug/models/diffusion.h"
#include "skelaug/models/dropout.h"
#include "skelaug/models/generator.h"
#include "skelaug/models/generator_config.h"
#include "skelaug/models/generator_objective.h"
#include "skelaug/models/generator_sampling.h"
#include "skelaug/models/input_streams.h"
#include "skelaug/models/recognizer.h"
#include "skelaug/models/recognizer_config.h"
#include "skelaug/models/skeleton_features.h"
#include "skelaug/models/skeleton_graph.h"
#include "skelaug/models/transformer_layers.h"
