#pragma once

#include <ATen/core/Tensor.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace skelaug::distributed {

enum class ReduceOp { kSum, kAverage, kMax, kMin };

// A collective in flight. wait() returns once the result is usable by the caller (in the tensor for MPI; ordered
// before later work on the caller's CUDA stream for NCCL) and rethrows the collective's error.
class Work {
 public:
  using Clock = std::chrono::steady_clock;
  struct Span {
    Clock::time_point start;
    Clock::time_point end;
  };

  virtual ~Work() = default;
  virtual void wait() = 0;
  // When the collective really ran (MPI: on the communication thread), once it has finished; empty where the
  // backend cannot tell (NCCL runs on the GPU's clock).
  virtual std::optional<Span> span() const { return std::nullopt; }
};

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
  // Starts an all-reduce and returns at once. Collectives start in the order they are called, on every rank the
  // same; the tensor must not be touched until wait() returns.
  virtual std::shared_ptr<Work> all_reduce_async(at::Tensor tensor, ReduceOp op) = 0;
  virtual void broadcast(at::Tensor& tensor, int root) = 0;
  // Returns a tensor of shape [size, *tensor.shape] holding every rank's tensor in rank order.
  virtual at::Tensor all_gather(const at::Tensor& tensor) = 0;
  // Returns once every rank has reached it (and, for NCCL, once this rank's queued collectives have finished).
  virtual void barrier() = 0;
};

}  // namespace skelaug::distributed
