#include "skelaug/data/device_copy.h"

namespace skelaug::data {

at::Tensor to_device(const at::Tensor& host, const at::Device& device) {
  if (!host.defined() || host.device() == device) return host;
  if (device.is_cuda() && host.device().is_cpu()) return host.pin_memory().to(device, /*non_blocking=*/true);
  return host.to(device);
}

Batch to_device(const Batch& batch, const at::Device& device) {
  auto moved = batch;
  moved.joints = to_device(batch.joints, device);
  moved.mask = to_device(batch.mask, device);
  moved.labels = to_device(batch.labels, device);
  return moved;
}

}  // namespace skelaug::data
