#pragma once

#include <c10/core/Device.h>

#include <nlohmann/json.hpp>

#include "skelaug/core/metrics_writer.h"
#include "skelaug/core/run_directory.h"
#include "skelaug/distributed/communicator.h"

namespace skelaug::training {

// What one rank of a training job works in: the tensor communicator of the job's ranks, this rank's device, the run
// directory every rank logs into, and (rank 0 only) the run's metrics file. The launcher builds it from the MPI world;
// tests build it from their own.
struct TrainingWorld {
  distributed::Communicator& communicator;
  c10::Device device;
  const core::RunDirectory& run;
  core::MetricsWriter* metrics = nullptr;  // null on ranks other than 0

  int rank() const { return communicator.rank(); }
  int size() const { return communicator.size(); }
  bool is_root() const { return rank() == 0; }
  // Appends a record to metrics.jsonl; a no-op where there is no metrics file.
  void record(nlohmann::json metric) const {
    if (metrics != nullptr) metrics->write(std::move(metric));
  }
};

}  // namespace skelaug::training
