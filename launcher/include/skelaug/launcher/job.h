#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "skelaug/core/config.h"
#include "skelaug/core/metrics_writer.h"
#include "skelaug/core/run_directory.h"
#include "skelaug/distributed/backend.h"
#include "skelaug/distributed/communicator.h"
#include "skelaug/distributed/mpi_environment.h"
#include "skelaug/training/training_world.h"

namespace skelaug::launcher {

// What a distributed command asks for: its config file, overrides, and log level.
struct JobRequest {
  std::string config_file;
  std::vector<std::string> overrides;
  std::string log_level = "info";
};

// Everything a rank of a running job has: the resolved config, the MPI world, its device and communicator, the run
// directory, and (on rank 0) the metrics file.
class Job {
 public:
  Job(core::Config config, distributed::MpiEnvironment& mpi, const std::string& log_level);

  const core::Config& config() const { return config_; }
  distributed::MpiEnvironment& mpi() { return mpi_; }
  const distributed::DeviceBinding& binding() const { return binding_; }
  distributed::Communicator& communicator() { return *communicator_; }
  const core::RunDirectory& run() const { return run_; }
  bool is_root() const { return mpi_.rank() == 0; }
  // Appends a record to metrics.jsonl; a no-op on ranks other than 0.
  void record(nlohmann::json metric);
  // The metrics file's writer on rank 0, null elsewhere.
  core::MetricsWriter* metrics() { return metrics_.get(); }
  // What the library's training jobs run in: this job's communicator, device, run directory and metrics file.
  training::TrainingWorld world();

 private:
  core::Config config_;
  distributed::MpiEnvironment& mpi_;
  distributed::DeviceBinding binding_;
  core::RunDirectory run_;
  std::unique_ptr<distributed::Communicator> communicator_;
  std::unique_ptr<core::MetricsWriter> metrics_;
};

// Runs `body` as one rank of an MPI job: reads and validates the config before MPI starts (so a bad config fails
// fast and identically on every rank, printed once), starts MPI, binds the device, makes the run directory (rank 0
// chooses it; every rank logs into it) and calls `body`. SIGTERM and SIGUSR1 only set the core::PreemptionFlag from
// the start, so a signal while the job loads its data or resumes is never the default action. Errors as run_on_ranks.
int run_job(const JobRequest& request, const std::function<int(Job&)>& body);

// Runs `body` as this rank's part of an MPI command and turns what it throws into the exit code: core::Preempted is
// reported as a stop (kPreempted); any other exception in one line naming the rank (kUserError for core::UserError,
// else kInternalError), and in a multi-rank job ends every rank with MPI_Abort, so none waits for it forever.
int run_on_ranks(const distributed::MpiEnvironment& mpi, const std::function<int()>& body);

class CommandRegistry;
struct GlobalOptions;
// Registers a command that runs `body` as an MPI job: `--config FILE` and `key.path=value` overrides.
void add_job_command(CommandRegistry& registry, CLI::App* parent, const std::string& name,
                     const std::string& description, const GlobalOptions& options,
                     std::function<int(Job&)> body);

// The rank a launcher (mpirun, srun) gave this process, read before MPI starts; 0 when not launched by one.
int launcher_rank();

// Prints "skelaug: error: <message>" (with the rank in multi-rank jobs) as one line on stderr.
void report_error(const std::string& message, int rank = 0, int world_size = 1);
// Prints "skelaug: stopped: <message>" as one line on stderr: work a stop signal ended cleanly (exit 3).
void report_stop(const std::string& message);

}  // namespace skelaug::launcher
