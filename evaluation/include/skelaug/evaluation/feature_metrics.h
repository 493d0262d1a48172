#pragma once

#include <ATen/Tensor.h>

#include <cstdint>
#include <random>
#include <vector>

namespace skelaug::evaluation {

// The ACTOR / MDM / Action2Motion protocol's metrics, on features of a fixed recogniser. All of them compute in
// float64 on the CPU whatever the inputs' dtype and device, and throw std::invalid_argument naming the shapes when the
// inputs do not fit.

// Frechet distance between Gaussians fitted to features_a [N, D] and features_b [M, D] (N, M >= 2; covariances with
// the unbiased 1 / (n - 1) normalisation, as numpy.cov and the FID implementations use):
//   ||mu_a - mu_b||^2 + Tr(S_a) + Tr(S_b) - 2 Tr(sqrt(S_a S_b)).
// Tr(sqrt(S_a S_b)) is the sum of the square roots of the eigenvalues of sqrt(S_a) S_b sqrt(S_a), a symmetric PSD
// matrix with the same eigenvalues as S_a S_b; sqrt(S_a) comes from a symmetric eigendecomposition. Both
// decompositions are of symmetric matrices, so rank-deficient covariances (D > N, duplicated features) cost no
// accuracy; eigenvalues that rounding makes slightly negative are clamped to 0, and so is the result.
double frechet_distance(const at::Tensor& features_a, const at::Tensor& features_b);

// Mean Euclidean distance between the two members of `pairs` random pairs of rows of features [N, D] (N >= 2). Each
// pair is a uniformly drawn row and a uniformly drawn *other* row (ACTOR and Action2Motion draw both with replacement
// and so count self-pairs of distance 0, a downward bias of about 1/N; leaving them out makes the value the mean
// distance between two distinct samples). The same seed gives the same pairs on every platform.
double diversity(const at::Tensor& features, std::int64_t pairs = 200, std::uint64_t seed = 0);

// For every class with at least 2 rows in features [N, D] (labels [N], integer), the mean distance over
// `pairs_per_class` random pairs of distinct rows of that class, drawn as diversity() draws them; then the mean over
// those classes, each weighing the same. Throws std::invalid_argument if no class has 2 rows.
double multimodality(const at::Tensor& features, const at::Tensor& labels, std::int64_t pairs_per_class = 20,
                     std::uint64_t seed = 0);

// A metric repeated over seeds, as MDM reports it: the mean and the half-width of its 95% interval,
// 1.96 * std / sqrt(n), where std is the population standard deviation (ddof 0, numpy's default, which MDM uses).
// Half-width 0 for a single value; throws std::invalid_argument for none.
struct MeanAndInterval {
  double mean = 0.0;
  double half_width = 0.0;
};
MeanAndInterval mean_and_interval(const std::vector<double>& values);

// Uniform integer in [0, bound) from a 64-bit Mersenne Twister, whose output sequence the standard fixes (unlike
// std::uniform_int_distribution's mapping), so the same seed draws the same pairs and resamples on every standard
// library. Draws below 2^64 mod bound are rejected so that every result is equally likely.
std::int64_t uniform_below(std::mt19937_64& random, std::int64_t bound);

}  // namespace skelaug::evaluation
