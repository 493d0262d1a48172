#pragma once

#include <mpi.h>

#include <memory>

#include "skelaug/distributed/communicator.h"

namespace skelaug::distributed {

class MpiEnvironment;
class CommunicationThread;

// Collectives on CPU tensors over MPI. Used on CPU clusters and by every multi-rank test.
//
// Every collective runs on one communication thread, in call order, over a private duplicate of MPI_COMM_WORLD, so
// asynchronous all-reduces overlap the caller's computation (Open MPI makes no progress on non-blocking collectives
// unless some thread is inside MPI) and never interleave with control-plane messages. A collective that runs longer
// than `timeout_s` means a peer is gone: the watchdog reports it and aborts the job instead of letting it hang.
class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator(const MpiEnvironment& mpi, double timeout_s);
  ~MpiCommunicator() override;

  std::string backend() const override { return "mpi"; }
  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void all_reduce(at::Tensor& tensor, ReduceOp op) override;
  std::shared_ptr<Work> all_reduce_async(at::Tensor tensor, ReduceOp op) override;
  void broadcast(at::Tensor& tensor, int root) override;
  at::Tensor all_gather(const at::Tensor& tensor) override;
  void barrier() override;

 private:
  int rank_;
  int size_;
  MPI_Comm comm_ = MPI_COMM_NULL;
  std::unique_ptr<CommunicationThread> thread_;
};

}  // namespace skelaug::distributed
