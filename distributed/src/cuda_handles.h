#pragma once

#include <cuda_runtime_api.h>
#include <fmt/format.h>

#include <stdexcept>

namespace skelaug::distributed::detail {

inline void cuda_check(cudaError_t code, const char* call) {
  if (code != cudaSuccess) throw std::runtime_error(fmt::format("{} failed: {}", call, cudaGetErrorString(code)));
}

// Makes `device` this thread's current CUDA device from construction on (it is not restored: a rank keeps its GPU).
// A member declared before streams and events puts them on that device instead of on GPU 0.
class ActiveDevice {
 public:
  explicit ActiveDevice(int device) { cuda_check(cudaSetDevice(device), "cudaSetDevice"); }
};

// Owns a non-blocking CUDA stream (it must not synchronise with the legacy default stream).
class CudaStream {
 public:
  CudaStream() { cuda_check(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreate"); }
  ~CudaStream() { cudaStreamDestroy(stream_); }
  CudaStream(const CudaStream&) = delete;
  CudaStream& operator=(const CudaStream&) = delete;
  cudaStream_t get() const { return stream_; }

 private:
  cudaStream_t stream_ = nullptr;
};

// Owns a CUDA event used only for ordering (no timing).
class CudaEvent {
 public:
  CudaEvent() { cuda_check(cudaEventCreateWithFlags(&event_, cudaEventDisableTiming), "cudaEventCreate"); }
  ~CudaEvent() { cudaEventDestroy(event_); }
  CudaEvent(const CudaEvent&) = delete;
  CudaEvent& operator=(const CudaEvent&) = delete;
  cudaEvent_t get() const { return event_; }

 private:
  cudaEvent_t event_ = nullptr;
};

}  // namespace skelaug::distributed::detail

#define SKELAUG_CUDA_CHECK(call) ::skelaug::distributed::detail::cuda_check((call), #call)
