// Host tensors sent to a device: on the CPU they are the tensors themselves (no copy); a batch keeps its clip indices.
// (The asynchronous CUDA path is checked on a GPU host: tests/training/generator_step_gpu_test.cpp.)
#include "skelaug/data/device_copy.h"

#include <gtest/gtest.h>

namespace skelaug::data {
namespace {

TEST(DeviceCopy, ToTheCpuIsTheTensorItself) {
  const auto host = at::arange(6, at::kFloat);
  const auto same = to_device(host, at::kCPU);
  EXPECT_TRUE(same.is_same(host));
  EXPECT_FALSE(to_device(at::Tensor(), at::kCPU).defined());
}

TEST(DeviceCopy, ABatchKeepsItsClipsAndEveryTensor) {
  Batch batch;
  batch.step = 4;
  batch.joints = at::ones({2, 3, 5, 3});
  batch.mask = at::ones({2, 3});
  batch.labels = at::tensor({1, 0}, at::kLong);
  batch.clips = {7, 9};
  const auto moved = to_device(batch, at::kCPU);
  EXPECT_EQ(moved.step, 4);
  EXPECT_EQ(moved.clips, batch.clips);
  EXPECT_TRUE(moved.joints.is_same(batch.joints));
  EXPECT_TRUE(moved.mask.is_same(batch.mask));
  EXPECT_TRUE(moved.labels.is_same(batch.labels));
}

}  // namespace
}  // namespace skelaug::data
