#include "nccl_communicator.h"

#include <ATen/ATen.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "skelaug/distributed/mpi_environment.h"
#include "tensor_checks.h"

#ifdef SKELAUG_TORCH_CUDA
#include <c10/cuda/CUDAStream.h>
#endif

namespace skelaug::distributed {
namespace {

ncclDataType_t nccl_type(const at::Tensor& tensor, const char* collective) {
  switch (tensor.scalar_type()) {
    case at::kFloat: return ncclFloat32;
    case at::kDouble: return ncclFloat64;
    case at::kHalf: return ncclFloat16;
    case at::kBFloat16: return ncclBfloat16;
    case at::kLong: return ncclInt64;
    case at::kInt: return ncclInt32;
    case at::kByte: return ncclUint8;
    case at::kChar: return ncclInt8;
    default: break;
  }
  detail::require(false, collective, tensor, "has a dtype NCCL does not support");
  return ncclFloat32;
}

ncclRedOp_t nccl_op(ReduceOp op) {
  switch (op) {
    case ReduceOp::kSum: return ncclSum;
    case ReduceOp::kAverage: return ncclAvg;
    case ReduceOp::kMax: return ncclMax;
    case ReduceOp::kMin: return ncclMin;
  }
  return ncclSum;
}

void require_cuda(const at::Tensor& tensor, int device, const char* collective) {
  detail::require(tensor.defined(), collective, tensor, "is undefined");
  detail::require(tensor.is_cuda() && tensor.device().index() == device, collective, tensor,
                  "is not on this rank's GPU (the NCCL backend reduces CUDA tensors)");
  detail::require(tensor.is_contiguous(), collective, tensor, "is not contiguous");
}

// Completion of one NCCL collective, as an event on the communication stream.
class NcclWork final : public Work {
 public:
  NcclWork(std::shared_ptr<detail::CudaEvent> done, cudaStream_t caller, at::Tensor tensor)
      : done_(std::move(done)), caller_(caller), tensor_(std::move(tensor)) {}
  void wait() override { SKELAUG_CUDA_CHECK(cudaStreamWaitEvent(caller_, done_->get(), 0)); }

 private:
  std::shared_ptr<detail::CudaEvent> done_;
  cudaStream_t caller_;
  at::Tensor tensor_;
};

}  // namespace

NcclCommunicator::NcclCommunicator(const MpiEnvironment& mpi, int device, double timeout_s)
    : rank_(mpi.rank()), size_(mpi.size()), device_(device), timeout_s_(timeout_s), active_device_(device) {
  ncclUniqueId id{};
  if (rank_ == 0) {
    const auto result = ncclGetUniqueId(&id);
    if (result != ncclSuccess) throw std::runtime_error(std::string("ncclGetUniqueId: ") + ncclGetErrorString(result));
  }
  const auto shared = mpi.broadcast(std::string(reinterpret_cast<const char*>(&id), sizeof id), 0);
  std::copy(shared.begin(), shared.end(), reinterpret_cast<char*>(&id));

  ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
  config.blocking = 0;
  await(ncclCommInitRankConfig(&comm_, size_, id, rank_, &config), "ncclCommInitRankConfig");
}

NcclCommunicator::~NcclCommunicator() {
  if (comm_ == nullptr) return;
  if (broken_) {
    ncclCommAbort(comm_);
  } else {
    cudaStreamSynchronize(stream_.get());
    ncclCommDestroy(comm_);
  }
}

void NcclCommunicator::fail(const std::string& why) {
  broken_ = true;
  if (comm_ != nullptr) {
    ncclCommAbort(comm_);
    comm_ = nullptr;
  }
  throw std::runtime_error(fmt::format("NCCL rank {}/{} on GPU {}: {}", rank_, size_, device_, why));
}

void NcclCommunicator::await(ncclResult_t result, const char* what) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s_);
  while (result == ncclInProgress) {
    if (std::chrono::steady_clock::now() > deadline) {
      fail(fmt::format("{} did not finish within {} s (a peer may have died)", what, timeout_s_));
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    if (ncclCommGetAsyncError(comm_, &result) != ncclSuccess) result = ncclSystemError;
  }
  if (result != ncclSuccess) {
    fail(fmt::format("{}: {} ({})", what, ncclGetErrorString(result), ncclGetLastError(comm_)));
  }
}

cudaStream_t NcclCommunicator::caller_stream() const {
#ifdef SKELAUG_TORCH_CUDA
  return c10::cuda::getCurrentCUDAStream(static_cast<c10::DeviceIndex>(device_)).stream();
#else
  return cudaStreamLegacy;  // a CPU-only LibTorch queues no CUDA work of its own
#endif
}

std::shared_ptr<Work> NcclCommunicator::enqueue(const char* collective, const at::Tensor& tensor,
                                                const std::function<ncclResult_t(cudaStream_t)>& launch) {
  if (broken_) throw std::runtime_error(fmt::format("{}: the NCCL communicator was aborted earlier", collective));
  SKELAUG_CUDA_CHECK(cudaSetDevice(device_));
  const cudaStream_t caller = caller_stream();
  SKELAUG_CUDA_CHECK(cudaEventRecord(ready_.get(), caller));
  SKELAUG_CUDA_CHECK(cudaStreamWaitEvent(stream_.get(), ready_.get(), 0));
  await(launch(stream_.get()), collective);
  auto done = std::make_shared<detail::CudaEvent>();
  SKELAUG_CUDA_CHECK(cudaEventRecord(done->get(), stream_.get()));
  last_done_ = done;
  return std::make_shared<NcclWork>(std::move(done), caller, tensor);
}

void NcclCommunicator::all_reduce(at::Tensor& tensor, ReduceOp op) { all_reduce_async(tensor, op)->wait(); }

std::shared_ptr<Work> NcclCommunicator::all_reduce_async(at::Tensor tensor, ReduceOp op) {
  require_cuda(tensor, device_, "all_reduce");
  const auto type = nccl_type(tensor, "all_reduce");
  return enqueue("ncclAllReduce", tensor, [&](cudaStream_t stream) {
    return ncclAllReduce(tensor.data_ptr(), tensor.data_ptr(), static_cast<std::size_t>(tensor.numel()), type,
                         nccl_op(op), comm_, stream);
  });
}

void NcclCommunicator::broadcast(at::Tensor& tensor, int root) {
  require_cuda(tensor, device_, "broadcast");
  const auto type = nccl_type(tensor, "broadcast");
  enqueue("ncclBroadcast", tensor, [&](cudaStream_t stream) {
    return ncclBroadcast(tensor.data_ptr(), tensor.data_ptr(), static_cast<std::size_t>(tensor.numel()), type, root,
                         comm_, stream);
  })->wait();
}

at::Tensor NcclCommunicator::all_gather(const at::Tensor& tensor) {
  require_cuda(tensor, device_, "all_gather");
  const auto type = nccl_type(tensor, "all_gather");
  std::vector<std::int64_t> shape{size_};
  shape.insert(shape.end(), tensor.sizes().begin(), tensor.sizes().end());
  auto gathered = at::empty(shape, tensor.options());
  enqueue("ncclAllGather", gathered, [&](cudaStream_t stream) {
    return ncclAllGather(tensor.data_ptr(), gathered.data_ptr(), static_cast<std::size_t>(tensor.numel()), type,
                         comm_, stream);
  })->wait();
  return gathered;
}

void NcclCommunicator::barrier() {
  auto token = at::zeros({1}, at::TensorOptions().dtype(at::kFloat).device(at::kCUDA, device_));
  all_reduce(token, ReduceOp::kSum);
  // Poll instead of cudaStreamSynchronize so that a dead peer ends in an error, not a hang.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s_);
  const cudaEvent_t done = last_done_->get();
  for (cudaError_t state = cudaEventQuery(done); state != cudaSuccess; state = cudaEventQuery(done)) {
    if (state != cudaErrorNotReady) fail(std::string("barrier: ") + cudaGetErrorString(state));
    ncclResult_t async = ncclSuccess;
    ncclCommGetAsyncError(comm_, &async);
    if (async != ncclSuccess && async != ncclInProgress) fail(std::string("barrier: ") + ncclGetErrorString(async));
    if (std::chrono::steady_clock::now() > deadline) fail(fmt::format("barrier did not finish within {} s", timeout_s_));
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

}  // namespace skelaug::distributed
