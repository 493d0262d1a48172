#pragma once

// A generator small enough for unit tests (22 joints, 5 classes, 12 frames, width 32, two layers each side).
#include "skelaug/models/generator.h"

namespace skelaug::testing {

inline models::GeneratorOptions small_generator_options(models::Conditioning conditioning) {
  models::GeneratorOptions options;
  options.conditioning = conditioning;
  options.num_joints = 22;
  options.num_classes = 5;
  options.clip_length = 12;
  options.width = 32;
  options.heads = 4;
  options.feedforward = 64;
  options.encoder_layers = 2;
  options.decoder_layers = 2;
  options.dropout = 0.0;
  return options;
}

}  // namespace skelaug::testing
