#include "skelaug/training/autocast.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include <stdexcept>

namespace skelaug::training {
namespace {

// LibTorch 2.4 replaced the per-device autocast setters (set_enabled, set_cpu_enabled, set_autocast_gpu_dtype, ...)
// with ones taking the device type; the old ones are deprecated there. Both are wrapped here.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool autocast_enabled(c10::DeviceType type) { return at::autocast::is_autocast_enabled(type); }
void set_autocast_enabled(c10::DeviceType type, bool enabled) { at::autocast::set_autocast_enabled(type, enabled); }
c10::ScalarType autocast_dtype(c10::DeviceType type) { return at::autocast::get_autocast_dtype(type); }
void set_autocast_dtype(c10::DeviceType type, c10::ScalarType dtype) { at::autocast::set_autocast_dtype(type, dtype); }
#else
void check_supported(c10::DeviceType type) {
  if (type != c10::DeviceType::CPU && type != c10::DeviceType::CUDA) {
    throw std::invalid_argument("autocast: only CPU and CUDA devices are supported by this LibTorch");
  }
}
bool autocast_enabled(c10::DeviceType type) {
  check_supported(type);
  return type == c10::DeviceType::CUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
}
void set_autocast_enabled(c10::DeviceType type, bool enabled) {
  check_supported(type);
  if (type == c10::DeviceType::CUDA) {
    at::autocast::set_enabled(enabled);
  } else {
    at::autocast::set_cpu_enabled(enabled);
  }
}
c10::ScalarType autocast_dtype(c10::DeviceType type) {
  check_supported(type);
  return type == c10::DeviceType::CUDA ? at::autocast::get_autocast_gpu_dtype()
                                       : at::autocast::get_autocast_cpu_dtype();
}
void set_autocast_dtype(c10::DeviceType type, c10::ScalarType dtype) {
  check_supported(type);
  if (type == c10::DeviceType::CUDA) {
    at::autocast::set_autocast_gpu_dtype(dtype);
  } else {
    at::autocast::set_autocast_cpu_dtype(dtype);
  }
}
#endif

}  // namespace

Precision parse_precision(const std::string& name) {
  if (name == "float32") return Precision::kFloat32;
  if (name == "bf16") return Precision::kBFloat16;
  throw std::invalid_argument("unknown precision '" + name + "' (float32 or bf16)");
}

std::string precision_name(Precision precision) { return precision == Precision::kBFloat16 ? "bf16" : "float32"; }

AutocastGuard::AutocastGuard(const c10::Device& device, Precision precision) : device_type_(device.type()) {
  if (precision == Precision::kFloat32) return;
  was_enabled_ = autocast_enabled(device_type_);
  previous_dtype_ = autocast_dtype(device_type_);
  set_autocast_enabled(device_type_, true);
  set_autocast_dtype(device_type_, c10::ScalarType::BFloat16);
  at::autocast::increment_nesting();
  active_ = true;
}

AutocastGuard::~AutocastGuard() {
  if (!active_) return;
  // The cast cache holds bf16 copies of the weights; it must not outlive the outermost autocast region.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_autocast_enabled(device_type_, was_enabled_);
  set_autocast_dtype(device_type_, previous_dtype_);
}

}  // namespace skelaug::training
