#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "skelaug/core/timeline.h"
#include "skelaug/distributed/communicator.h"

namespace skelaug::distributed {

struct ReducerOptions {
  std::int64_t bucket_cap_bytes = 25LL << 20;       // DDP's default
  std::int64_t first_bucket_cap_bytes = 1LL << 20;  // small, so that communication starts early in backward
};

// Data-parallel gradient averaging with DDP's semantics, overlapped with backward.
//
// Gradients are packed into buckets in reverse registration order (the order backward produces them). An autograd
// hook on each parameter copies its gradient into its bucket; the moment a bucket's last gradient arrives, and every
// earlier bucket has been launched, the bucket's asynchronous all-reduce starts, so communication runs while backward
// goes on. Buckets are always launched in index order, identical on every rank. finish() (after backward) launches
// what is left, with zeros for parameters that got no gradient this step (they still take part, so the reduction
// completes on every rank), waits, and writes the averaged gradients into each parameter's .grad.
//
// Gradient accumulation: prepare(false) for every micro-batch but the last skips communication; gradients accumulate
// locally in .grad, and the last micro-batch, prepare(true), reduces the accumulated sums.
class GradientReducer {
 public:
  GradientReducer(std::vector<at::Tensor> parameters, Communicator& communicator, ReducerOptions options = {},
                  core::Timeline* timeline = nullptr);
  ~GradientReducer();
  GradientReducer(const GradientReducer&) = delete;
  GradientReducer& operator=(const GradientReducer&) = delete;

  // Call before each backward; `synchronize` false for a micro-batch whose gradients only accumulate.
  void prepare(bool synchronize);
  // Call after backward of a synchronising micro-batch, before the optimiser reads the gradients.
  void finish();

  // Bucket b holds these parameter indices (into the constructor's list), in packing order.
  const std::vector<std::vector<std::size_t>>& bucket_members() const { return members_; }

 private:
  struct Bucket {
    at::Tensor flat;                    // all members' gradients back to back
    std::vector<std::int64_t> offsets;  // each member's start in `flat`
    std::size_t pending = 0;            // members whose gradient has not arrived this step
    std::shared_ptr<Work> work;
  };

  void on_gradient(std::size_t parameter, const at::Tensor& gradient);
  void launch_ready_buckets();  // caller holds mutex_
  void launch(std::size_t bucket);
  at::Tensor slot(std::size_t parameter);

  std::vector<at::Tensor> parameters_;
  Communicator& communicator_;
  core::Timeline* timeline_;
  std::vector<std::vector<std::size_t>> members_;
  std::vector<Bucket> buckets_;
  std::vector<std::size_t> bucket_of_;    // parameter -> bucket
  std::vector<std::size_t> position_of_;  // parameter -> index within its bucket
  std::vector<bool> arrived_;
  std::size_t next_to_launch_ = 0;
  bool synchronizing_ = false;
  std::mutex mutex_;
  std::vector<unsigned> hooks_;
};

// Makes every rank's tensors equal to rank 0's (parameters and buffers at start-up).
void broadcast_from_root(Communicator& communicator, const std::vector<at::Tensor>& tensors);

}  // namespace skelaug::distributed
