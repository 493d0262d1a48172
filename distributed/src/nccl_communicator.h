#pragma once

#include <nccl.h>

#include <functional>

#include "cuda_handles.h"
#include "skelaug/distributed/communicator.h"

namespace skelaug::distributed {

class MpiEnvironment;

// Collectives on CUDA tensors over NCCL (one rank per GPU). Rank 0 makes the unique id, MPI broadcasts it, every rank
// joins. The communicator is non-blocking, so every call and the initialisation are polled with a deadline: a peer
// that died makes this rank abort the communicator (never destroy a broken one: that can block) and throw, instead
// of hanging. Collectives run on a dedicated stream, ordered with the caller's current stream by events.
class NcclCommunicator final : public Communicator {
 public:
  NcclCommunicator(const MpiEnvironment& mpi, int device, double timeout_s);
  ~NcclCommunicator() override;

  std::string backend() const override { return "nccl"; }
  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void all_reduce(at::Tensor& tensor, ReduceOp op) override;
  std::shared_ptr<Work> all_reduce_async(at::Tensor tensor, ReduceOp op) override;
  void broadcast(at::Tensor& tensor, int root) override;
  at::Tensor all_gather(const at::Tensor& tensor) override;
  void barrier() override;

 private:
  // Orders `launch` on the communication stream after the caller's queued work; the returned Work orders the caller's
  // later work after it (it keeps `tensor` alive until then).
  std::shared_ptr<Work> enqueue(const char* collective, const at::Tensor& tensor,
                                const std::function<ncclResult_t(cudaStream_t)>& launch);
  // Waits for a non-blocking NCCL call to leave ncclInProgress; aborts the communicator and throws on error/timeout.
  void await(ncclResult_t result, const char* what);
  [[noreturn]] void fail(const std::string& why);
  cudaStream_t caller_stream() const;

  int rank_;
  int size_;
  int device_;
  double timeout_s_;
  ncclComm_t comm_ = nullptr;
  bool broken_ = false;
  detail::ActiveDevice active_device_;  // before the stream and event, which are created on the current device
  detail::CudaStream stream_;
  detail::CudaEvent ready_;
  std::shared_ptr<detail::CudaEvent> last_done_;  // the latest collective's completion, for barrier()
};

}  // namespace skelaug::distributed
