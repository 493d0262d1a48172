#pragma once

#include <vector>

namespace skelaug::augment {

// The mean of per-seed results with its 95% interval from Student's t distribution (n - 1 degrees of freedom): what a
// handful of seeds supports, wider than the normal approximation. half_width is NaN under two values.
struct SeedInterval {
  double mean = 0;
  double half_width = 0;
  int count = 0;
  double low() const { return mean - half_width; }
  double high() const { return mean + half_width; }
  bool excludes_zero() const { return low() > 0 || high() < 0; }
};
SeedInterval t_interval(const std::vector<double>& values, double level = 0.95);

}  // namespace skelaug::augment
