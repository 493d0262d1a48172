#pragma once

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <string>

namespace skelaug::training {

// The precision forward passes run in. float32 everywhere, or bf16 autocast: while an AutocastGuard lives, the ops on
// LibTorch's autocast lists (linear, matmul, convolution, ...) run in bfloat16 on the guard's device type, numerically
// sensitive ones (softmax, norms, losses) stay float32, and parameters, gradients and optimiser state stay float32.
// bf16 has float32's range, so unlike float16 it needs no loss scaling. On GPUs with bf16 tensor cores (A100, H100)
// it is the usual way to train Transformers faster; CPUs without bf16 instructions emulate it and get slower.
enum class Precision { kFloat32, kBFloat16 };

Precision parse_precision(const std::string& name);  // "float32" | "bf16"; std::invalid_argument otherwise
std::string precision_name(Precision precision);

// Scoped autocast for one device type, restoring the previous state (and clearing the cast cache when the outermost
// guard ends). Precision::kFloat32 makes it a no-op, so callers can always construct one.
class AutocastGuard {
 public:
  AutocastGuard(const c10::Device& device, Precision precision);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  bool active_ = false;
  c10::DeviceType device_type_;
  bool was_enabled_ = false;
  c10::ScalarType previous_dtype_ = c10::ScalarType::Undefined;
};

}  // namespace skelaug::training
