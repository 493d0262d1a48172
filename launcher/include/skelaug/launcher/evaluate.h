#pragma once

#include "skelaug/core/config_schema.h"

namespace skelaug::launcher {

// The `evaluate` section: repetitions, pair counts, seed and the real split of `skelaug evaluate`.
void add_evaluate_config_keys(core::Schema& schema);

}  // namespace skelaug::launcher
