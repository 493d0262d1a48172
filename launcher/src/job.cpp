#include "skelaug/launcher/job.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "skelaug/core/error.h"
#include "skelaug/core/logging.h"
#include "skelaug/core/preemption.h"
#include "skelaug/distributed/diagnostic_environment.h"
#include "skelaug/launcher/command_registry.h"
#include "skelaug/launcher/config_sections.h"
#include "skelaug/training/resume_policy.h"
#include "openmp_wait_policy.h"

namespace skelaug::launcher {
namespace {

void log_start(const Job& job, const distributed::MpiEnvironment& mpi) {
  const auto& layout = mpi.layout();
  const auto& binding = job.binding();
  SKELAUG_LOG(kInfo) << fmt::format("run directory {}", job.run().root().string());
  SKELAUG_LOG(kInfo) << fmt::format(
      "rank {}/{} on {} (node rank {}/{} from {}, {} node(s)): backend {}, device {}, {} thread(s), BLAS {}, "
      "OpenMP wait policy {}",
      layout.rank, layout.world_size, layout.hostname, layout.local_rank, layout.local_size,
      layout.local_rank_source, layout.node_count, binding.backend, binding.device, binding.threads, binding.blas,
      openmp_wait_policy_report());
  for (const auto& [name, value] : distributed::diagnostic_environment()) {
    SKELAUG_LOG(kInfo) << fmt::format("env {}={}", name, value);
  }
}

struct ConfigFailure {
  std::string message;
  int rank;        // 0 where every rank failed alike: the line then names no rank
  int world_size;  // 1 where every rank failed alike
};

// The config error of the lowest rank that has one, from every rank's (empty where it read its config).
std::optional<ConfigFailure> first_config_failure(const std::vector<std::string>& errors) {
  const auto size = static_cast<int>(errors.size());
  for (int rank = 0; rank < size; ++rank) {
    if (errors[rank].empty()) continue;
    const bool everywhere = std::all_of(errors.begin(), errors.end(), [&](const auto& e) { return e == errors[rank]; });
    if (everywhere) return ConfigFailure{errors[rank], 0, 1};
    return ConfigFailure{errors[rank], rank, size};
  }
  return std::nullopt;
}

}  // namespace

int launcher_rank() {
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"}) {
    if (const char* value = std::getenv(name); value != nullptr && *value != '\0') return std::atoi(value);
  }
  return 0;
}

void report_stop(const std::string& message) {
  std::fputs(fmt::format("skelaug: stopped: {}\n", message).c_str(), stderr);
  std::fflush(stderr);
}

void report_error(const std::string& message, int rank, int world_size) {
  const auto text = world_size > 1 ? fmt::format("skelaug: error (rank {}/{}): {}\n", rank, world_size, message)
                                   : fmt::format("skelaug: error: {}\n", message);
  std::fputs(text.c_str(), stderr);
  std::fflush(stderr);
}

Job::Job(core::Config config, distributed::MpiEnvironment& mpi, const std::string& log_level)
    : config_(std::move(config)), mpi_(mpi), run_("") {
  const auto level = core::parse_log_level(log_level);
  core::configure_logging({mpi.rank(), mpi.size(), level, {}, mpi.rank() == 0});

  // Rank 0 picks the directory (its clock names it) and tells the others.
  std::string root;
  std::string failure;
  if (is_root()) {
    try {
      const auto run = core::RunDirectory::create(config_, core::run_timestamp());
      training::check_resume(config_, run);  // before config.yaml, which the checks read, is replaced
      run.write_config(config_);
      root = run.root().string();
    } catch (const std::exception& e) {
      failure = e.what();
    }
  }
  failure = mpi.broadcast(failure, 0);
  if (!failure.empty()) throw core::UserError(failure);
  run_ = core::RunDirectory(mpi.broadcast(root, 0));
  // Every rank read the config itself: a rank whose file or overrides differ (another file at the same path on
  // another node) ends the job here, naming itself and the key, instead of training on other settings.
  const auto root_config = mpi.broadcast(config_.to_yaml(/*comments=*/false), 0);
  if (root_config != config_.to_yaml(/*comments=*/false)) {
    const auto keys = core::parse_config(config_.schema(), root_config, "rank 0's config", config_.name())
                          .differing_keys(config_);
    throw core::UserError(fmt::format("this rank's config differs from rank 0's in {} (the same config file and "
                                      "overrides on every rank?)",
                                      keys.empty() ? std::string("its text") : keys.front()));
  }
  core::configure_logging({mpi.rank(), mpi.size(), level, run_.log_file(mpi.rank()), mpi.rank() == 0});
  if (is_root()) metrics_ = std::make_unique<core::MetricsWriter>(run_.metrics_file());

  binding_ = distributed::bind_device(mpi, config_);
  log_start(*this, mpi);
  communicator_ = distributed::make_communicator(mpi, binding_, config_);
}

training::TrainingWorld Job::world() {
  return {*communicator_, c10::Device(binding_.device), run_, metrics_.get()};
}

void Job::record(nlohmann::json metric) {
  if (metrics_) metrics_->write(std::move(metric));
}

int run_job(const JobRequest& request, const std::function<int(Job&)>& body) {
  std::optional<core::Config> config;
  std::string config_error;
  try {
    config = core::load_config(full_schema(), request.config_file, request.overrides);
    core::parse_log_level(request.log_level);
  } catch (const core::UserError& e) {
    config_error = e.what();
  }

  const core::PreemptionFlag stop_signals;  // from before MPI starts to the end of the job
  distributed::MpiEnvironment mpi;
  // Every rank reads the config itself. A rank may not simply exit on a bad one: mpirun ends the whole job at the
  // first non-zero exit and could kill rank 0 before it has said why. So the ranks first agree, and one line says it.
  if (const auto failure = first_config_failure(mpi.all_gather(config_error))) {
    if (mpi.rank() == 0) report_error(failure->message, failure->rank, failure->world_size);
    mpi.barrier();  // no rank exits before rank 0 has written the line
    return core::kUserError;
  }
  return run_on_ranks(mpi, [&] {
    Job job(std::move(*config), mpi, request.log_level);
    return body(job);
  });
}

int run_on_ranks(const distributed::MpiEnvironment& mpi, const std::function<int()>& body) {
  try {
    return body();
  } catch (const core::Preempted& e) {
    report_stop(e.what());
    return core::kPreempted;
  } catch (const std::exception& e) {
    const bool user = dynamic_cast<const core::UserError*>(&e) != nullptr;
    const int code = user ? core::kUserError : core::kInternalError;
    report_error(e.what(), mpi.rank(), mpi.size());
    SKELAUG_LOG_TO_FILE(kError) << e.what();  // report_error said it on the console
    if (mpi.size() > 1) distributed::MpiEnvironment::abort(code);
    return code;
  }
}

void add_job_command(CommandRegistry& registry, CLI::App* parent, const std::string& name,
                     const std::string& description, const GlobalOptions& options,
                     std::function<int(Job&)> body) {
  auto request = std::make_shared<JobRequest>();
  auto* command = registry.add(parent, name, description, [request, &options, body = std::move(body)] {
    request->log_level = options.log_level;
    return run_job(*request, body);
  });
  command->add_option("--config", request->config_file, "YAML config file")->required();
  command->add_option("overrides", request->overrides, "key.path=value overrides applied after the config");
}

}  // namespace skelaug::launcher
