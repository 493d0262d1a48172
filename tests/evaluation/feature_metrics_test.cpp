// The protocol's feature metrics: FID against closed forms, diversity and multimodality against hand computation, and
// the 95% interval.
#include "skelaug/evaluation/feature_metrics.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

namespace skelaug::evaluation {
namespace {

// N samples whose sample mean is exactly `mean` and whose sample covariance (1 / (N - 1)) is exactly
// diag(stddev^2): standard normal draws, centred and whitened by their own covariance, then scaled and shifted.
at::Tensor features_with_exact_moments(std::int64_t n, const std::vector<double>& mean,
                                       const std::vector<double>& stddev, std::uint64_t seed) {
  const auto d = static_cast<std::int64_t>(mean.size());
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  auto z = at::randn({n, d}, generator, at::kDouble);
  z = z - z.mean(0, /*keepdim=*/true);
  const auto covariance = at::matmul(z.transpose(0, 1), z) / static_cast<double>(n - 1);
  const auto cholesky = at::linalg_cholesky(covariance);  // covariance = L L^T
  z = at::linalg_solve_triangular(cholesky, z.transpose(0, 1), /*upper=*/false).transpose(0, 1);
  return z * at::tensor(stddev, at::kDouble) + at::tensor(mean, at::kDouble);
}

at::Tensor sample_covariance(const at::Tensor& x) {
  const auto centred = x - x.mean(0, true);
  return at::matmul(centred.transpose(0, 1), centred) / static_cast<double>(x.size(0) - 1);
}

TEST(FrechetDistance, OfASetWithItselfIsZero) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(3);
  const auto features = at::randn({500, 30}, generator, at::kFloat) * 2.0 + 1.0;
  const auto scale = sample_covariance(features.to(at::kDouble)).trace().item<double>();
  EXPECT_LT(frechet_distance(features, features), 1e-6 * scale);
  // Rank-deficient covariances (fewer samples than dimensions) stay exact too.
  const auto few = at::randn({6, 30}, generator, at::kDouble);
  EXPECT_LT(frechet_distance(few, few), 1e-6 * sample_covariance(few).trace().item<double>());
}

TEST(FrechetDistance, OfDiagonalGaussiansMatchesTheClosedForm) {
  // For diagonal covariances: |mu_a - mu_b|^2 + sum_i (sigma_a,i - sigma_b,i)^2.
  const std::vector<double> mean_a = {0.0, 1.0, -2.0, 0.5}, sigma_a = {1.0, 2.0, 0.5, 3.0};
  const std::vector<double> mean_b = {1.0, 1.0, 0.0, -0.5}, sigma_b = {2.0, 0.5, 0.5, 1.0};
  const auto a = features_with_exact_moments(300, mean_a, sigma_a, 1);
  const auto b = features_with_exact_moments(200, mean_b, sigma_b, 2);
  double expected = 0.0;
  for (std::size_t i = 0; i < mean_a.size(); ++i) {
    expected += std::pow(mean_a[i] - mean_b[i], 2) + std::pow(sigma_a[i] - sigma_b[i], 2);
  }
  EXPECT_NEAR(frechet_distance(a, b), expected, 1e-9 * expected);
  EXPECT_NEAR(frechet_distance(b, a), expected, 1e-9 * expected);
}

TEST(FrechetDistance, OfFullTwoDimensionalGaussiansMatchesTheClosedForm) {
  // In 2-D, Tr(sqrt(M)) = sqrt(Tr(M) + 2 sqrt(det(M))) for M = S_a S_b, independently of any eigendecomposition.
  auto generator = at::make_generator<at::CPUGeneratorImpl>(5);
  const auto a = at::matmul(at::randn({400, 2}, generator, at::kDouble),
                            at::tensor(std::vector<double>{1.0, 0.8, 0.0, 0.6}).view({2, 2}));
  const auto b = at::matmul(at::randn({300, 2}, generator, at::kDouble),
                            at::tensor(std::vector<double>{2.0, -0.5, 0.3, 1.0}).view({2, 2})) +
                 0.7;
  const auto covariance_a = sample_covariance(a), covariance_b = sample_covariance(b);
  const auto product = at::matmul(covariance_a, covariance_b);
  const auto trace_sqrt =
      std::sqrt(product.trace().item<double>() + 2.0 * std::sqrt(at::linalg_det(product).item<double>()));
  const auto expected = (a.mean(0) - b.mean(0)).pow(2).sum().item<double>() + covariance_a.trace().item<double>() +
                        covariance_b.trace().item<double>() - 2.0 * trace_sqrt;
  EXPECT_NEAR(frechet_distance(a, b), expected, 1e-9 * expected);
}

TEST(FrechetDistance, GrowsAsNoiseIsAdded) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(11);
  const auto real = at::randn({400, 8}, generator, at::kDouble);
  const auto noise = at::randn({400, 8}, generator, at::kDouble);
  double previous = frechet_distance(real, real);
  for (const double level : {0.1, 0.3, 1.0, 3.0, 10.0}) {
    const auto distance = frechet_distance(real, real + level * noise);
    EXPECT_GT(distance, previous) << "noise " << level;
    previous = distance;
  }
}

TEST(FrechetDistance, BadShapesAreRefused) {
  EXPECT_THROW(frechet_distance(at::zeros({10, 3}), at::zeros({10, 4})), std::invalid_argument);
  EXPECT_THROW(frechet_distance(at::zeros({1, 3}), at::zeros({10, 3})), std::invalid_argument);
  EXPECT_THROW(frechet_distance(at::zeros({10}), at::zeros({10, 1})), std::invalid_argument);
  EXPECT_THROW(frechet_distance(at::full({10, 3}, NAN), at::zeros({10, 3})), std::invalid_argument);
}

// ---- Diversity, multimodality, intervals ----

TEST(Diversity, OfIdenticalSamplesIsZero) { EXPECT_EQ(diversity(at::ones({50, 12}) * 3.0, 200, 1), 0.0); }

TEST(Diversity, OfEquidistantPointsIsTheirDistance) {
  // Two points 5 apart; the basis vectors of R^6, all sqrt(2) apart. Every pair is of distinct samples.
  EXPECT_NEAR(diversity(at::tensor(std::vector<double>{0, 0, 3, 4}).view({2, 2}), 200, 7), 5.0, 1e-12);
  EXPECT_NEAR(diversity(at::eye(6, at::kDouble), 200, 7), std::sqrt(2.0), 1e-12);
}

TEST(Diversity, IsTheMeanOverRandomPairsAndRepeatsForASeed) {
  // Points 0, 1, 3 on a line: distinct pairs have distances 1, 3 and 2, mean 2.
  const auto points = at::tensor(std::vector<double>{0, 1, 3}).view({3, 1});
  EXPECT_EQ(diversity(points, 200, 4), diversity(points, 200, 4));
  EXPECT_NE(diversity(points, 200, 4), diversity(points, 200, 5));
  EXPECT_NEAR(diversity(points, 200000, 4), 2.0, 0.02);
  EXPECT_THROW(diversity(at::zeros({1, 3})), std::invalid_argument);
  EXPECT_THROW(diversity(at::zeros({4, 3}), 0), std::invalid_argument);
}

TEST(Multimodality, AveragesSameClassDistancesOverClassesWithTwoSamples) {
  // Class 4: two points 3 apart; class 1: three basis vectors of R^3, sqrt(2) apart; class 9: one sample, left out.
  const auto features = at::tensor(std::vector<double>{0, 0, 0,  //
                                                       1, 0, 0,  //
                                                       3, 0, 0,  //
                                                       0, 1, 0,  //
                                                       0, 0, 1,  //
                                                       9, 9, 9})
                            .view({6, 3});
  const auto labels = at::tensor(std::vector<std::int64_t>{4, 1, 4, 1, 1, 9});
  EXPECT_NEAR(multimodality(features, labels, 20, 3), (3.0 + std::sqrt(2.0)) / 2.0, 1e-12);
  EXPECT_EQ(multimodality(at::ones({6, 3}), labels, 20, 3), 0.0);
  EXPECT_THROW(multimodality(features, at::arange(6, at::kLong)), std::invalid_argument);  // no class has 2
  EXPECT_THROW(multimodality(features, at::zeros({5}, at::kLong)), std::invalid_argument);
}

TEST(MeanAndInterval, IsTheMeanAndNinetyFivePercentHalfWidth) {
  const auto result = mean_and_interval({1.0, 2.0, 3.0, 4.0});
  EXPECT_DOUBLE_EQ(result.mean, 2.5);
  EXPECT_DOUBLE_EQ(result.half_width, 1.96 * std::sqrt(1.25) / 2.0);  // population std sqrt(1.25), n = 4
  EXPECT_EQ(mean_and_interval({7.0}).half_width, 0.0);
  EXPECT_THROW(mean_and_interval({}), std::invalid_argument);
}

}  // namespace
}  // namespace skelaug::evaluation
