#include "skelaug/augment/seed_statistics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace skelaug::augment {
namespace {

TEST(SeedStatistics, IntervalUsesStudentsTWithNMinusOneDegreesOfFreedom) {
  // Three seeds: mean 4, sample standard deviation 1; t(0.975, 2) = 4.302652729749464 (tables): 4 +- 2.48.
  const auto interval = t_interval({3.0, 4.0, 5.0});
  EXPECT_EQ(interval.count, 3);
  EXPECT_DOUBLE_EQ(interval.mean, 4.0);
  EXPECT_NEAR(interval.half_width, 4.302652729749464 / std::sqrt(3.0), 1e-12);
  EXPECT_TRUE(interval.excludes_zero());
  EXPECT_FALSE(t_interval({1.0, 2.0, 3.0}).excludes_zero());  // 2 +- 2.48
  // Two seeds: t(0.975, 1) = 12.706204736174707; the normal approximation (1.96) would be six times too narrow.
  const auto two = t_interval({0.1, -0.05});
  EXPECT_NEAR(two.half_width, 12.706204736174707 * std::sqrt(0.01125) / std::sqrt(2.0), 1e-12);
  EXPECT_FALSE(two.excludes_zero());
}

TEST(SeedStatistics, TooFewValuesHaveNoInterval) {
  const auto one = t_interval({0.7});
  EXPECT_DOUBLE_EQ(one.mean, 0.7);
  EXPECT_TRUE(std::isnan(one.half_width));
  EXPECT_TRUE(std::isnan(t_interval({}).mean));
}

}  // namespace
}  // namespace skelaug::augment
