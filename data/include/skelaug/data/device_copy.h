#pragma once

#include <ATen/ATen.h>

#include "skelaug/data/skeleton_loader.h"

namespace skelaug::data {

// A host tensor on `device` without making the host wait for the copy. To a CUDA device the tensor is first staged in
// page-locked memory and then copied asynchronously on the current stream: a copy from ordinary (pageable) memory
// blocks the host until the device has drained its queue, which in a training step means waiting for the previous
// step's kernels before the next one can be launched. (PyTorch's pinned-memory allocator keeps the staging buffer
// alive until the copy has run.) To the CPU it is the tensor itself.
at::Tensor to_device(const at::Tensor& host, const at::Device& device);

// Every tensor of a batch, as above; the clip indices stay on the host.
Batch to_device(const Batch& batch, const at::Device& device);

}  // namespace skelaug::data
