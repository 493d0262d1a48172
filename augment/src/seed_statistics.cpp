#include "skelaug/augment/seed_statistics.h"

#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>
#include <numeric>

namespace skelaug::augment {

SeedInterval t_interval(const std::vector<double>& values, double level) {
  SeedInterval interval;
  interval.count = static_cast<int>(values.size());
  if (values.empty()) {
    interval.mean = interval.half_width = std::numeric_limits<double>::quiet_NaN();
    return interval;
  }
  const double n = static_cast<double>(values.size());
  interval.mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
  if (values.size() < 2) {
    interval.half_width = std::numeric_limits<double>::quiet_NaN();
    return interval;
  }
  double squares = 0;
  for (const double value : values) squares += (value - interval.mean) * (value - interval.mean);
  const double standard_error = std::sqrt(squares / (n - 1)) / std::sqrt(n);
  const boost::math::students_t distribution(n - 1);
  interval.half_width = boost::math::quantile(distribution, 0.5 + level / 2) * standard_error;
  return interval;
}

}  // namespace skelaug::augment
