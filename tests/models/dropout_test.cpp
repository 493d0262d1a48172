// Counter-based dropout: its statistics, its determinism, its gradients, and the module's modes.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "skelaug/models/dropout.h"

namespace skelaug::models {
namespace {

torch::Tensor positive(std::int64_t n) { return torch::rand({n}, torch::kFloat64) + 0.5; }

TEST(CounterDropout, KeepsTheExpectedFractionScaledAndZeroesTheRest) {
  torch::manual_seed(1);
  const std::int64_t n = 1'000'001;  // odd: the last element has no pair partner
  const auto x = positive(n);
  for (const double p : {0.1, 0.5, 0.9}) {
    const auto y = counter_dropout(x, p);
    const auto kept = y.ne(0);
    const double fraction = kept.to(torch::kFloat64).mean().item<double>();
    const double sigma = std::sqrt(p * (1 - p) / static_cast<double>(n));
    EXPECT_NEAR(fraction, 1 - p, 5 * sigma) << "p=" << p;
    EXPECT_TRUE(torch::allclose(y.masked_select(kept), x.masked_select(kept) / (1 - p), 1e-6, 0)) << "p=" << p;
    // The expectation of each element is preserved.
    EXPECT_NEAR(y.sum().item<double>() / x.sum().item<double>(), 1.0, 6 * sigma / (1 - p)) << "p=" << p;
  }
}

// Two neighbours share one 64-bit hash (a 32-bit half each): their decisions must still be independent, as must
// elements far apart.
TEST(CounterDropout, DecisionsOfNeighboursAreIndependent) {
  torch::manual_seed(2);
  const std::int64_t n = 2'000'000;
  const double p = 0.3;
  const auto dropped = counter_dropout(torch::ones({n}), p).eq(0).to(torch::kFloat64);
  const auto both = [&](std::int64_t offset, std::int64_t start) {
    const auto a = dropped.narrow(0, start, n - offset - start).slice(0, 0, c10::nullopt, 2);
    const auto b = dropped.narrow(0, start + offset, n - offset - start).slice(0, 0, c10::nullopt, 2);
    return (a * b).mean().item<double>();
  };
  const double sigma = std::sqrt(p * p * (1 - p * p) / (n / 2.0));
  EXPECT_NEAR(both(1, 0), p * p, 5 * sigma);  // the two halves of one hash
  EXPECT_NEAR(both(1, 1), p * p, 5 * sigma);  // across neighbouring hashes
  EXPECT_NEAR(both(2, 0), p * p, 5 * sigma);
  EXPECT_NEAR(both(1000, 0), p * p, 5 * sigma);
}

TEST(CounterDropout, TheSeedDecidesTheMaskWhateverTheThreadCount) {
  const auto x = positive(300'000);
  const int threads = torch::get_num_threads();
  torch::manual_seed(7);
  torch::set_num_threads(1);
  const auto single = counter_dropout(x, 0.2);
  const auto next = counter_dropout(x, 0.2);
  torch::manual_seed(7);
  torch::set_num_threads(2);
  const auto parallel = counter_dropout(x, 0.2);
  torch::set_num_threads(threads);
  EXPECT_TRUE(torch::equal(single, parallel));
  EXPECT_FALSE(torch::equal(single, next));  // each call draws a new seed
  EXPECT_GT(single.ne(next).to(torch::kFloat64).mean().item<double>(), 0.2);
}

TEST(CounterDropout, GradientIsTheSameMaskAndScale) {
  torch::manual_seed(3);
  const auto x = positive(10'000).to(torch::kFloat32).requires_grad_(true);
  const auto weight = torch::randn({10'000});
  const double p = 0.25;
  const auto y = counter_dropout(x, p);
  (y * weight).sum().backward();
  const auto expected = y.detach().ne(0).to(torch::kFloat32) * weight / (1 - p);
  EXPECT_TRUE(torch::allclose(x.grad(), expected, 1e-6, 1e-7));
}

TEST(CounterDropout, FusedReluEqualsReluThenDropoutWithItsGradient) {
  const auto source = torch::randn({4, 33, 17});
  const auto weight = torch::randn({4, 33, 17});
  const double p = 0.4;
  auto run = [&](bool fused) {
    const auto x = source.clone().requires_grad_(true);
    torch::manual_seed(11);
    const auto y = fused ? counter_relu_dropout(x, p) : counter_dropout(torch::relu(x), p);
    (y * weight).sum().backward();
    return std::make_pair(y.detach(), x.grad());
  };
  const auto [fused, fused_grad] = run(true);
  const auto [plain, plain_grad] = run(false);
  EXPECT_TRUE(torch::equal(fused, plain));
  EXPECT_TRUE(torch::allclose(fused_grad, plain_grad, 1e-6, 1e-7));
  EXPECT_GT(fused.eq(0).logical_and(source.gt(0)).sum().item<std::int64_t>(), 0);  // some positives were dropped
}

TEST(CounterDropout, NonContiguousAndReducedPrecisionInputs) {
  torch::manual_seed(4);
  const auto x = positive(2000).view({40, 50}).to(torch::kFloat32);
  const auto y = counter_dropout(x.t(), 0.5);
  EXPECT_EQ(y.sizes(), x.t().sizes());
  EXPECT_TRUE(torch::allclose(y.masked_select(y.ne(0)), x.t().masked_select(y.ne(0)) * 2.0, 1e-6, 0));
  const auto half = counter_dropout(x.to(torch::kBFloat16), 0.5);
  EXPECT_EQ(half.scalar_type(), torch::kBFloat16);
  EXPECT_TRUE(torch::allclose(half.masked_select(half.ne(0)).to(torch::kFloat32),
                              x.to(torch::kBFloat16).masked_select(half.ne(0)).to(torch::kFloat32) * 2.0, 1e-2, 0));
}

TEST(CounterDropout, EdgeProbabilitiesAndRefusals) {
  const auto x = positive(100).requires_grad_(true);
  EXPECT_TRUE(torch::equal(counter_dropout(x, 0.0), x));
  const auto zeros = counter_dropout(x, 1.0);
  EXPECT_TRUE(torch::equal(zeros, torch::zeros_like(x)));
  zeros.sum().backward();
  EXPECT_TRUE(torch::equal(x.grad(), torch::zeros_like(x)));
  EXPECT_THROW(counter_dropout(x, -0.1), std::invalid_argument);
  EXPECT_THROW(counter_dropout(x, 1.5), std::invalid_argument);
  EXPECT_THROW(CounterDropout(2.0), std::invalid_argument);
}

TEST(CounterDropout, ModuleIsTheIdentityInEvalModeAndDropsInTraining) {
  CounterDropout dropout(0.5);
  const auto x = torch::randn({64, 64});
  dropout->eval();
  EXPECT_TRUE(torch::equal(dropout->forward(x), x));
  EXPECT_TRUE(torch::equal(dropout->forward_relu(x), torch::relu(x)));
  dropout->train();
  EXPECT_GT(dropout->forward(x).eq(0).sum().item<std::int64_t>(), 64 * 64 / 4);
  dropout->set_p(0.0);
  EXPECT_TRUE(torch::equal(dropout->forward(x), x));
}

// Under row seeds a row's masks depend on its own seed and the call's place in the sequence, not on the rows it is
// batched with: what N ranks need to drop exactly what 1 rank drops for the same clips.
TEST(DropoutRowSeeds, ARowsMaskDependsOnItsSeedNotItsBatch) {
  const auto x = torch::randn({3, 4, 5, 7});  // rows of 4 * 5 * 7 elements (odd: pairs straddle nothing)
  const auto heads = torch::randn({6, 9});    // batch-major [B * H, ...] with H = 2
  torch::Tensor whole_x, whole_heads;
  {
    const DropoutRowSeeds seeds({11, 12, 13});
    whole_x = counter_dropout(x, 0.5);
    whole_heads = counter_relu_dropout(heads, 0.3);  // the second call under the guard
  }
  for (std::int64_t row = 0; row < 3; ++row) {
    const DropoutRowSeeds seeds({static_cast<std::uint64_t>(11 + row)});
    torch::manual_seed(static_cast<std::uint64_t>(row) + 100);  // the default generator plays no part
    EXPECT_TRUE(torch::equal(counter_dropout(x.narrow(0, row, 1), 0.5), whole_x.narrow(0, row, 1))) << row;
    EXPECT_TRUE(torch::equal(counter_relu_dropout(heads.narrow(0, 2 * row, 2), 0.3), whole_heads.narrow(0, 2 * row, 2)));
  }
  // Other seeds, other masks; a tensor that is not batch-major for the guard draws from the default generator.
  const DropoutRowSeeds other({21, 12, 13});
  const auto changed = counter_dropout(x, 0.5);
  EXPECT_FALSE(torch::equal(changed.narrow(0, 0, 1), whole_x.narrow(0, 0, 1)));
  torch::manual_seed(5);
  const auto unkeyed = counter_dropout(torch::ones({4, 10}), 0.5);
  torch::manual_seed(5);
  EXPECT_TRUE(torch::equal(unkeyed, counter_dropout(torch::ones({4, 10}), 0.5)));
}

TEST(DropoutRowSeeds, GradientUsesEachRowsMask) {
  const auto x = torch::randn({2, 33}, torch::requires_grad());
  torch::Tensor y;
  {
    const DropoutRowSeeds seeds({3, 4});
    y = counter_dropout(x, 0.4);
  }
  y.sum().backward();  // after the guard ended: the backward pass needs only the saved seeds
  const auto kept = (y != 0).to(torch::kFloat);
  EXPECT_TRUE(torch::allclose(x.grad(), kept / 0.6, 1e-6, 1e-6));
}

// Under DropoutSharedOverFrames one mask per frame-less slice is broadcast over dimension 1, still scaled, keyed by
// row seeds and differentiable; tensors of fewer than three dimensions keep per-element masks.
TEST(DropoutSharedOverFrames, OneMaskBroadcastOverDimensionOne) {
  torch::manual_seed(8);
  const auto x = torch::rand({3, 9, 400}) + 0.5;
  const auto y = [&] {
    const DropoutSharedOverFrames shared;
    return counter_dropout(x, 0.5);
  }();
  const auto mask = y / x;  // 0 or 2 everywhere
  EXPECT_TRUE(torch::allclose(mask, mask.narrow(1, 0, 1).expand_as(mask), 1e-5, 1e-5));
  const double kept = mask.narrow(1, 0, 1).ne(0).to(torch::kFloat64).mean().item<double>();
  EXPECT_NEAR(kept, 0.5, 5 * std::sqrt(0.25 / 1200));
  EXPECT_TRUE(torch::allclose(mask.masked_select(mask.ne(0)), torch::full({1}, 2.0F), 1e-5, 0));
  // Without the guard (it ended) masks vary over frames again.
  const auto unshared = counter_dropout(x, 0.5) / x;
  EXPECT_FALSE(torch::allclose(unshared, unshared.narrow(1, 0, 1).expand_as(unshared)));

  // Row seeds still decide each row's mask, whatever it is batched with; the fused ReLU and gradients follow the mask.
  const auto signed_x = torch::randn({2, 5, 64}, torch::requires_grad());
  const auto first_call = [&](auto dropout, std::vector<std::uint64_t> row_seeds, const torch::Tensor& input) {
    const DropoutSharedOverFrames shared;
    const DropoutRowSeeds seeds(std::move(row_seeds));
    return dropout(input, 0.4);
  };
  const auto whole = first_call(counter_dropout, {31, 32}, signed_x);
  EXPECT_TRUE(torch::equal(first_call(counter_dropout, {32}, signed_x.narrow(0, 1, 1)), whole.narrow(0, 1, 1)));
  EXPECT_TRUE(torch::allclose(first_call(counter_relu_dropout, {31, 32}, signed_x), torch::relu(whole)));
  whole.sum().backward();
  const auto shared_mask = (whole / signed_x).detach();
  EXPECT_TRUE(torch::allclose(signed_x.grad(), shared_mask, 1e-4, 1e-5));

  // Two-dimensional tensors are not shared over their second dimension.
  const DropoutSharedOverFrames shared;
  const auto flat = counter_dropout(torch::ones({4, 1000}), 0.5);
  EXPECT_FALSE(torch::equal(flat, flat.narrow(1, 0, 1).expand_as(flat)));
}

}  // namespace
}  // namespace skelaug::models
