#pragma once

#include "skelaug/core/config_schema.h"

namespace skelaug::launcher {

// The one schema every skelaug config is read through: each library adds its section here.
const core::Schema& full_schema();

}  // namespace skelaug::launcher
