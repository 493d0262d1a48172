#include "skelaug/evaluation/nearest_clips.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

#include "skelaug/evaluation/clip_plausibility.h"

namespace skelaug::evaluation {
namespace {

TEST(NearestClips, EqualsTheSmallestPairwiseRootAlignedDeviation) {
  at::manual_seed(3);
  const auto references = at::randn({7, 6, 5, 3}, at::kFloat);
  auto reference_valid = at::ones({7, 6});
  reference_valid.index_put_({2, at::indexing::Slice(4, at::indexing::None)}, 0);  // a shorter reference
  const auto queries = at::randn({4, 6, 5, 3}, at::kFloat);
  auto query_valid = at::ones({4, 6});
  query_valid.index_put_({1, 0}, 0);
  const auto nearest = nearest_clip_distances(queries, query_valid, references, reference_valid);
  ASSERT_EQ(nearest.scalar_type(), at::kDouble);
  for (std::int64_t q = 0; q < 4; ++q) {
    double smallest = INFINITY;
    for (std::int64_t r = 0; r < 7; ++r) {
      const auto one = root_aligned_deviation(queries.narrow(0, q, 1), query_valid.narrow(0, q, 1),
                                              references.narrow(0, r, 1), reference_valid.narrow(0, r, 1));
      smallest = std::min(smallest, one.item<double>());
    }
    EXPECT_NEAR(nearest[q].item<double>(), smallest, 1e-9) << "query " << q;
  }
}

// The search drops a reference once its partial sum passes the best so far: with many references in every order, near
// ones early and late, the answer must still be the exact minimum, and double input must agree with float.
TEST(NearestClips, EarlyExitKeepsTheExactMinimumOverManyReferences) {
  at::manual_seed(11);
  const auto base = at::randn({3, 10, 6, 3}, at::kFloat);
  // References: small and large variations of three motions, shuffled so the nearest can come anywhere.
  const auto scale = at::rand({40, 1, 1, 1}) * 0.5;
  const auto references = base.index_select(0, at::randint(3, {40}, at::kLong)) + scale * at::randn({40, 10, 6, 3});
  const auto reference_valid = (at::rand({40, 10}) > 0.2).to(at::kFloat);
  const auto queries = base.index_select(0, at::randint(3, {9}, at::kLong)) + 0.1 * at::randn({9, 10, 6, 3});
  const auto query_valid = (at::rand({9, 10}) > 0.1).to(at::kFloat);
  const auto nearest = nearest_clip_distances(queries, query_valid, references, reference_valid);
  const auto nearest_in_double =
      nearest_clip_distances(queries.to(at::kDouble), query_valid, references.to(at::kDouble), reference_valid);
  for (std::int64_t q = 0; q < 9; ++q) {
    double smallest = INFINITY;
    for (std::int64_t r = 0; r < 40; ++r) {
      const auto one = root_aligned_deviation(queries.narrow(0, q, 1), query_valid.narrow(0, q, 1),
                                              references.narrow(0, r, 1), reference_valid.narrow(0, r, 1));
      if (!std::isnan(one.item<double>())) smallest = std::min(smallest, one.item<double>());
    }
    EXPECT_NEAR(nearest[q].item<double>(), smallest, 1e-9) << "query " << q;
    EXPECT_NEAR(nearest_in_double[q].item<double>(), smallest, 1e-9) << "query " << q;
  }
}

TEST(NearestClips, ACopyMovedElsewhereIsAtDistanceZero) {
  at::manual_seed(5);
  const auto references = at::randn({5, 8, 4, 3}, at::kFloat);
  // Query 0 is reference 3 walking 2 m away frame by frame: root alignment removes that.
  auto queries = at::randn({2, 8, 4, 3}, at::kFloat);
  queries[0].copy_(references[3] + at::linspace(0, 2, 8).view({8, 1, 1}));
  const auto nearest = nearest_clip_distances(queries, at::ones({2, 8}), references, at::ones({5, 8}));
  EXPECT_NEAR(nearest[0].item<double>(), 0.0, 1e-6);
  EXPECT_GT(nearest[1].item<double>(), 0.1);
}

TEST(NearestClips, NoSharedValidFrameIsNaN) {
  auto query_valid = at::zeros({1, 4});
  query_valid.index_put_({0, 0}, 1);
  auto reference_valid = at::zeros({2, 4});
  reference_valid.index_put_({at::indexing::Slice(), 3}, 1);
  const auto nearest =
      nearest_clip_distances(at::randn({1, 4, 3, 3}), query_valid, at::randn({2, 4, 3, 3}), reference_valid);
  EXPECT_TRUE(std::isnan(nearest[0].item<double>()));
}

}  // namespace
}  // namespace skelaug::evaluation
