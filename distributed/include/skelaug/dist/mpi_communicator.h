#pragma once

#include "skelaug/dist/communicator.h"

namespace skelaug::dist {

class MpiEnvironment;

// Collectives on CPU tensors over MPI_COMM_WORLD. Used on CPU clusters and by every multi-rank test.
class MpiCommunicator final : public Communicator {
 public:
  explicit MpiCommunicator(const MpiEnvironment& mpi);

  std::string backend() const override { return "mpi"; }
  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void all_reduce(at::Tensor& tensor, ReduceOp op) override;
  void broadcast(at::Tensor& tensor, int root) override;
  at::Tensor all_gather(const at::Tensor& tensor) override;
  void barrier() override;

 private:
  int rank_;
  int size_;
};

}  // namespace skelaug::dist
