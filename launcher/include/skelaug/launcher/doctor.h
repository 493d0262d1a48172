#pragma once

#include "skelaug/core/config_schema.h"

namespace skelaug::launcher {

class Job;

// The `doctor` section of the config schema.
void add_doctor_config_keys(core::Schema& schema);

// `skelaug doctor`: checks that a job's ranks can work together before a long run is spent on them. Every rank
// reports its place, device, threads and BLAS; every collective is checked against values known in closed form
// for float32, float64 and int64; all-reduce bus bandwidth is measured per message size; each rank's matrix-product
// speed is measured (a reference BLAS shows up here as a 20x slower rank). Results go to the log and metrics.jsonl.
// Returns core::kSuccess, or core::kInternalError if any check failed on any rank.
int run_doctor(Job& job);

}  // namespace skelaug::launcher
