#pragma once

#include <string>
#include <vector>

#include "skelaug/distributed/world_layout.h"

namespace skelaug::distributed {

// The process's MPI lifetime and its control plane (small host-side messages between ranks), kept apart from the
// tensor communicators as marian keeps its MPI wrapper apart from NCCL. One per process.
//
// MPI is initialised with MPI_THREAD_MULTIPLE because gradient reduction runs on a communication thread while the
// main thread may also talk to MPI; construction fails loudly if the library cannot give it.
class MpiEnvironment {
 public:
  MpiEnvironment();
  ~MpiEnvironment();
  MpiEnvironment(const MpiEnvironment&) = delete;
  MpiEnvironment& operator=(const MpiEnvironment&) = delete;

  const WorldLayout& layout() const { return layout_; }
  int rank() const { return layout_.rank; }
  int size() const { return layout_.world_size; }

  void barrier() const;
  // Rank `root`'s string, returned on every rank.
  std::string broadcast(const std::string& value, int root) const;
  // Every rank's string, in rank order, on every rank.
  std::vector<std::string> all_gather(const std::string& value) const;
  // Sum of `value` over ranks.
  long long sum(long long value) const;

  // Ends the whole job from one rank (the others must not wait forever for it). Never returns.
  [[noreturn]] static void abort(int exit_code);
  static bool active();
  // "Open MPI v4.1.4, ..." (first line of MPI_Get_library_version); callable without initialising MPI.
  static std::string library_version();

 private:
  WorldLayout layout_;
};

}  // namespace skelaug::distributed
