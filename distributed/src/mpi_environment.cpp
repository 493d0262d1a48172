#include "skelaug/distributed/mpi_environment.h"

#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <vector>

#include "mpi_check.h"

namespace skelaug::distributed {
namespace {

// The local rank as the launcher states it; -1 when no launcher variable is set.
int launcher_local_rank(std::string& source) {
  for (const char* name : {"OMPI_COMM_WORLD_LOCAL_RANK", "SLURM_LOCALID"}) {
    if (const char* value = std::getenv(name); value != nullptr && *value != '\0') {
      source = name;
      return std::atoi(value);
    }
  }
  return -1;
}

WorldLayout detect_layout() {
  WorldLayout layout;
  SKELAUG_MPI_CHECK(MPI_Comm_rank(MPI_COMM_WORLD, &layout.rank));
  SKELAUG_MPI_CHECK(MPI_Comm_size(MPI_COMM_WORLD, &layout.world_size));

  // The shared-memory split always gives the node's rank count, and the local rank when no launcher states it.
  MPI_Comm node_comm = MPI_COMM_NULL;
  SKELAUG_MPI_CHECK(
      MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, layout.rank, MPI_INFO_NULL, &node_comm));
  int split_rank = 0;
  SKELAUG_MPI_CHECK(MPI_Comm_rank(node_comm, &split_rank));
  SKELAUG_MPI_CHECK(MPI_Comm_size(node_comm, &layout.local_size));
  MPI_Comm_free(&node_comm);

  layout.local_rank = launcher_local_rank(layout.local_rank_source);
  if (layout.local_rank < 0 || layout.local_rank >= layout.local_size) {
    layout.local_rank = split_rank;
    layout.local_rank_source = "MPI shared-memory split";
  }

  int leader = layout.local_rank == 0 ? 1 : 0;
  SKELAUG_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, &leader, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD));
  layout.node_count = leader;

  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  layout.hostname = host;
  return layout;
}

}  // namespace

MpiEnvironment::MpiEnvironment() {
  if (active()) throw std::logic_error("MPI is already initialised: one MpiEnvironment per process");
  int provided = MPI_THREAD_SINGLE;
  SKELAUG_MPI_CHECK(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided));
  if (provided < MPI_THREAD_MULTIPLE) {
    MPI_Finalize();
    throw std::runtime_error(
        "the MPI library does not provide MPI_THREAD_MULTIPLE, which the communication thread needs; use an MPI "
        "built with thread support (Open MPI: --enable-mpi-thread-multiple, the default since 3.0)");
  }
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  layout_ = detect_layout();
}

MpiEnvironment::~MpiEnvironment() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

void MpiEnvironment::barrier() const { SKELAUG_MPI_CHECK(MPI_Barrier(MPI_COMM_WORLD)); }

std::string MpiEnvironment::broadcast(const std::string& value, int root) const {
  long long length = rank() == root ? static_cast<long long>(value.size()) : 0;
  SKELAUG_MPI_CHECK(MPI_Bcast(&length, 1, MPI_LONG_LONG, root, MPI_COMM_WORLD));
  std::vector<char> buffer(value.begin(), value.end());
  buffer.resize(static_cast<std::size_t>(length));
  SKELAUG_MPI_CHECK(MPI_Bcast(buffer.data(), static_cast<int>(length), MPI_CHAR, root, MPI_COMM_WORLD));
  return std::string(buffer.begin(), buffer.end());
}

std::vector<std::string> MpiEnvironment::all_gather(const std::string& value) const {
  std::vector<int> lengths(static_cast<std::size_t>(size()));
  const int length = static_cast<int>(value.size());
  SKELAUG_MPI_CHECK(MPI_Allgather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, MPI_COMM_WORLD));
  std::vector<int> offsets(lengths.size(), 0);
  for (std::size_t r = 1; r < lengths.size(); ++r) offsets[r] = offsets[r - 1] + lengths[r - 1];
  std::vector<char> buffer(static_cast<std::size_t>(offsets.back() + lengths.back()));
  SKELAUG_MPI_CHECK(MPI_Allgatherv(value.data(), length, MPI_CHAR, buffer.data(), lengths.data(), offsets.data(),
                                   MPI_CHAR, MPI_COMM_WORLD));
  std::vector<std::string> gathered;
  for (std::size_t r = 0; r < lengths.size(); ++r) {
    gathered.emplace_back(buffer.data() + offsets[r], static_cast<std::size_t>(lengths[r]));
  }
  return gathered;
}

long long MpiEnvironment::sum(long long value) const {
  SKELAUG_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD));
  return value;
}

void MpiEnvironment::abort(int exit_code) {
  MPI_Abort(MPI_COMM_WORLD, exit_code);
  std::_Exit(exit_code);  // MPI_Abort should not return; make sure of it
}

bool MpiEnvironment::active() {
  int initialized = 0;
  int finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  return initialized != 0 && finalized == 0;
}

std::string MpiEnvironment::library_version() {
  char text[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int length = 0;
  MPI_Get_library_version(text, &length);
  std::string version(text, static_cast<std::size_t>(length));
  return version.substr(0, version.find_first_of(",\n"));
}

}  // namespace skelaug::distributed
