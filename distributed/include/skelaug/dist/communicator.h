#pragma once

#include <ATen/core/Tensor.h>

#include <string>

namespace skelaug::dist {

enum class ReduceOp { kSum, kAverage, kMax, kMin };

// Collectives on tensors, in place where the shape allows it. Every rank must call the same collectives in the same
// order with tensors of the same shape and dtype. Implementations: MPI (CPU tensors) and NCCL (CUDA tensors; the
// collective is ordered after the work already queued on the current CUDA stream, and work queued after it sees the
// result). Tensors must be contiguous.
class Communicator {
 public:
  virtual ~Communicator() = default;

  virtual std::string backend() const = 0;
  virtual int rank() const = 0;
  virtual int size() const = 0;

  virtual void all_reduce(at::Tensor& tensor, ReduceOp op) = 0;
  virtual void broadcast(at::Tensor& tensor, int root) = 0;
  // Returns a tensor of shape [size, *tensor.shape] holding every rank's tensor in rank order.
  virtual at::Tensor all_gather(const at::Tensor& tensor) = 0;
  // Returns once every rank has reached it (and, for NCCL, once this rank's queued collectives have finished).
  virtual void barrier() = 0;
};

}  // namespace skelaug::dist
