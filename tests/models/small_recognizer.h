#pragma once

// A recogniser of each architecture small enough for unit tests (5 classes, 8 base channels and 4 stages; MS-G3D,
// whose multi-scale blocks need more, 12 and 3).
#include <string>

#include "skelaug/models/recognizer.h"

namespace skelaug::testing {

inline models::RecognizerOptions small_recognizer_options(const std::string& architecture) {
  models::RecognizerOptions options;
  options.architecture = architecture;
  options.num_classes = 5;
  options.base_channels = architecture == "msg3d" ? 12 : 8;
  options.stages = architecture == "msg3d" ? 3 : 4;
  return options;
}

}  // namespace skelaug::testing
