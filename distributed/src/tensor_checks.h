#pragma once

#include <ATen/core/Tensor.h>
#include <fmt/format.h>

#include <sstream>
#include <stdexcept>

namespace skelaug::distributed::detail {

// Misuse of a communicator is a programming error: say which collective and what the tensor was.
inline void require(bool condition, const char* collective, const at::Tensor& tensor, const char* what) {
  if (condition) return;
  std::ostringstream shape;
  shape << tensor.sizes() << " " << tensor.scalar_type() << " on " << tensor.device();
  throw std::invalid_argument(fmt::format("{}: tensor {} {}", collective, shape.str(), what));
}

}  // namespace skelaug::distributed::detail
