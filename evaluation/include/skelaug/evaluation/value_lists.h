#pragma once

#include <ATen/Tensor.h>

#include <vector>

namespace skelaug::evaluation {

// A tensor's values as a plain list of doubles (moved to the CPU): one conversion instead of an item() per element.
std::vector<double> to_doubles(const at::Tensor& values);

// The q-quantile (0..1) of `values`, interpolating linearly between the two nearest order statistics; NaN when empty.
double linear_quantile(std::vector<double> values, double q);

}  // namespace skelaug::evaluation
