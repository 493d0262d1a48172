#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <stdexcept>
#include <vector>

#include "skelaug/models/diffusion.h"

namespace skelaug::models {
namespace {

constexpr double kPi = 3.14159265358979323846;

// The cosine schedule's alpha_bar at table index t, straight from the closed form (index t = continuous time (t+1)/T).
double closed_form_alpha_bar(std::int64_t t, std::int64_t steps) {
  const auto f = [](double u) {
    const double angle = (u + 0.008) / 1.008 * kPi / 2.0;
    return std::cos(angle) * std::cos(angle);
  };
  return f(static_cast<double>(t + 1) / static_cast<double>(steps)) / f(0.0);
}

double table_at(const at::Tensor& table, std::int64_t t) { return table[t].item<double>(); }

TEST(DiffusionSchedule, CosineTablesDecreaseFromOneToZeroAndMatchTheClosedForm) {
  const DiffusionSchedule schedule = DiffusionSchedule::cosine();
  ASSERT_EQ(schedule.steps(), 1000);
  const at::Tensor& betas = schedule.betas();
  const at::Tensor& alpha_bar = schedule.alpha_bar();
  EXPECT_EQ(betas.scalar_type(), at::kDouble);
  EXPECT_TRUE(betas.device().is_cpu());
  EXPECT_GT(betas.min().item<double>(), 0.0);
  EXPECT_LE(betas.max().item<double>(), 0.999);
  EXPECT_DOUBLE_EQ(table_at(betas, 999), 0.999);  // the cosine schedule's last beta is 1 before clipping

  EXPECT_GT(table_at(alpha_bar, 0), 0.9999);
  EXPECT_LT(table_at(alpha_bar, 999), 1e-6);
  EXPECT_TRUE((alpha_bar.slice(0, 1) < alpha_bar.slice(0, 0, 999)).all().item<bool>()) << "alpha_bar must decrease";

  for (std::int64_t t : {0, 1, 10, 250, 500, 750, 990}) {
    EXPECT_NEAR(table_at(alpha_bar, t) / closed_form_alpha_bar(t, 1000), 1.0, 1e-9) << "t = " << t;
    EXPECT_DOUBLE_EQ(schedule.alpha_bar_at(t), table_at(alpha_bar, t));
  }
  // Half the signal variance is left about half way (the cosine schedule's point: slower than linear early on).
  EXPECT_NEAR(table_at(alpha_bar, 499), 0.5, 0.02);
  EXPECT_THROW(schedule.alpha_bar_at(1000), std::invalid_argument);
  EXPECT_THROW(DiffusionSchedule::cosine(0), std::invalid_argument);
}

// q(x_{t-1} | x_t, x0) must carry the forward marginal q(x_t | x0) back to q(x_{t-1} | x0): with
// x_t = sqrt(ab_t) x0 + sqrt(1 - ab_t) e, the posterior mean coef_x0 x0 + coef_xt x_t plus the posterior variance must
// have mean sqrt(ab_{t-1}) x0 and variance 1 - ab_{t-1}, at every t.
TEST(DiffusionSchedule, PosteriorCarriesTheForwardMarginalOneStepBack) {
  const DiffusionSchedule schedule = DiffusionSchedule::cosine();
  const at::Tensor coef_x0 = schedule.posterior_mean_coef_x0();
  const at::Tensor coef_xt = schedule.posterior_mean_coef_xt();
  const at::Tensor& alpha_bar = schedule.alpha_bar();
  const at::Tensor& alpha_bar_prev = schedule.alpha_bar_prev();
  const at::Tensor mean_scale = coef_x0 + coef_xt * alpha_bar.sqrt();
  const at::Tensor variance = coef_xt * coef_xt * (1.0 - alpha_bar) + schedule.posterior_variance();
  EXPECT_LT((mean_scale - alpha_bar_prev.sqrt()).abs().max().item<double>(), 1e-12);
  EXPECT_LT((variance - (1.0 - alpha_bar_prev)).abs().max().item<double>(), 1e-12);
  EXPECT_EQ(table_at(schedule.posterior_variance(), 0), 0.0);
  EXPECT_DOUBLE_EQ(table_at(alpha_bar_prev, 0), 1.0);
  EXPECT_DOUBLE_EQ(table_at(alpha_bar_prev, 500), table_at(alpha_bar, 499));
  EXPECT_TRUE((schedule.posterior_variance().slice(0, 1) < schedule.betas().slice(0, 1)).all().item<bool>());
}

TEST(DiffusionSchedule, AddNoiseFollowsTheForwardMarginalPerSample) {
  const DiffusionSchedule schedule = DiffusionSchedule::cosine();
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(7);
  const at::Tensor x0 = at::randn({4, 3, 5}, generator, at::kFloat);
  const at::Tensor noise = at::randn({4, 3, 5}, generator, at::kFloat);
  const std::vector<std::int64_t> timesteps = {0, 1, 500, 999};
  const at::Tensor t = at::tensor(timesteps, at::kLong);
  const at::Tensor x_t = schedule.add_noise(x0, t, noise);
  ASSERT_EQ(x_t.sizes(), x0.sizes());
  EXPECT_EQ(x_t.scalar_type(), at::kFloat);
  for (std::size_t b = 0; b < timesteps.size(); ++b) {
    const double alpha_bar = closed_form_alpha_bar(timesteps[b], 1000);
    const auto i = static_cast<std::int64_t>(b);
    // The last step is clipped, so use the table there; everywhere else the closed form must hold.
    const double ab = timesteps[b] == 999 ? schedule.alpha_bar_at(999) : alpha_bar;
    const at::Tensor expected = std::sqrt(ab) * x0[i] + std::sqrt(1.0 - ab) * noise[i];
    EXPECT_LT((x_t[i] - expected).abs().max().item<double>(), 1e-5) << "t = " << timesteps[b];
  }
  // t = 0 is almost clean (sqrt(1 - ab_0) ~ 0.006); t = 999 is almost pure noise.
  EXPECT_LT((x_t[0] - x0[0]).abs().max().item<double>(), 0.05);
  EXPECT_LT((x_t[3] - noise[3]).abs().max().item<double>(), 1e-3);

  EXPECT_THROW(schedule.add_noise(x0, at::tensor(std::vector<std::int64_t>{0, 1, 2, 1000}, at::kLong), noise),
               std::invalid_argument);
  EXPECT_THROW(schedule.add_noise(x0, at::tensor(std::vector<std::int64_t>{0, 1, 2}, at::kLong), noise),
               std::invalid_argument);
  EXPECT_THROW(schedule.add_noise(x0, t, noise.slice(0, 0, 2)), std::invalid_argument);
}

TEST(DiffusionSampling, TimestepsDescendToZero) {
  const DiffusionSchedule schedule = DiffusionSchedule::cosine();
  SamplerOptions ddpm;
  const std::vector<std::int64_t> every = sampling_timesteps(schedule, 999, ddpm);
  ASSERT_EQ(every.size(), 1000u);
  for (std::size_t i = 0; i < every.size(); ++i) EXPECT_EQ(every[i], 999 - static_cast<std::int64_t>(i));

  SamplerOptions ddim50;
  ddim50.ddim_steps = 50;
  const std::vector<std::int64_t> fifty = sampling_timesteps(schedule, 999, ddim50);
  ASSERT_EQ(fifty.size(), 50u);
  EXPECT_EQ(fifty.front(), 999);
  EXPECT_EQ(fifty.back(), 0);
  for (std::size_t i = 1; i < fifty.size(); ++i) {
    EXPECT_GE(fifty[i - 1] - fifty[i], 20);
    EXPECT_LE(fifty[i - 1] - fifty[i], 21);
  }
  SamplerOptions ddim_all;
  ddim_all.ddim_steps = 1000;
  EXPECT_EQ(sampling_timesteps(schedule, 999, ddim_all), every);
  SamplerOptions ddim_one;
  ddim_one.ddim_steps = 1;
  EXPECT_EQ(sampling_timesteps(schedule, 999, ddim_one), std::vector<std::int64_t>{999});
  // From an intermediate step the count is capped at the steps there are.
  EXPECT_EQ(sampling_timesteps(schedule, 3, ddim50), (std::vector<std::int64_t>{3, 2, 1, 0}));
}

// Data x0 ~ N(mu, s^2), one scalar per sample. For Gaussian data the optimal x0-predictor is known in closed form:
// x_t = sqrt(ab) x0 + sqrt(1 - ab) e is jointly Gaussian with x0, so
// E[x0 | x_t] = mu + s^2 sqrt(ab) / (ab s^2 + 1 - ab) (x_t - sqrt(ab) mu).
// A correct sampler fed this predictor must reproduce N(mu, s^2).
constexpr double kDataMean = 1.5;
constexpr double kDataStd = 0.5;
constexpr std::int64_t kSamples = 20000;

X0Predictor gaussian_posterior_mean(const DiffusionSchedule& schedule) {
  const at::Tensor alpha_bar = schedule.alpha_bar().to(at::kFloat);
  return [alpha_bar](const at::Tensor& x_t, const at::Tensor& t) {
    const at::Tensor ab = alpha_bar.index_select(0, t).view({-1, 1});
    const double variance = kDataStd * kDataStd;
    const at::Tensor gain = variance * ab.sqrt() / (ab * variance + (1.0 - ab));
    return kDataMean + gain * (x_t - ab.sqrt() * kDataMean);
  };
}

struct SampleStatistics {
  double mean;
  double std;
};

SampleStatistics statistics_of(const at::Tensor& samples) {
  return {samples.mean().item<double>(), samples.std().item<double>()};
}

// With the exact predictor every reverse step is affine in x_t plus Gaussian noise, so the sampler's output is exactly
// Gaussian, and its mean and std follow in closed form by pushing (mean, variance) through the steps. This separates
// the sampler's discretisation bias (known, e.g. DDIM-50 eta 0 gives std 0.4845, not 0.5) from implementation errors.
// Written independently of the library's algebra: DDPM from the Gaussian posterior, DDIM in its eps_hat form.
SampleStatistics exact_output_statistics(const DiffusionSchedule& schedule, const std::vector<std::int64_t>& timesteps,
                                         bool ddpm, double eta, double start_mean, double start_variance) {
  const auto alpha_bar = [&schedule](std::int64_t t) { return t >= 0 ? schedule.alpha_bar_at(t) : 1.0; };
  double mean = start_mean;
  double variance = start_variance;
  for (std::size_t i = 0; i < timesteps.size(); ++i) {
    const std::int64_t t = timesteps[i];
    const std::int64_t t_prev = i + 1 < timesteps.size() ? timesteps[i + 1] : -1;
    const double ab = alpha_bar(t);
    const double ab_prev = alpha_bar(t_prev);
    // x0_hat = mu + gain (x_t - sqrt(ab) mu) = gain x_t + offset
    const double gain = kDataStd * kDataStd * std::sqrt(ab) / (ab * kDataStd * kDataStd + 1.0 - ab);
    const double offset = kDataMean - gain * std::sqrt(ab) * kDataMean;
    double per_x0 = 0;
    double per_xt = 0;
    double noise_variance = 0;
    if (ddpm) {
      const double beta = 1.0 - ab / ab_prev;
      per_x0 = std::sqrt(ab_prev) * beta / (1.0 - ab);
      per_xt = std::sqrt(1.0 - beta) * (1.0 - ab_prev) / (1.0 - ab);
      noise_variance = beta * (1.0 - ab_prev) / (1.0 - ab);
    } else {
      // x' = sqrt(ab') x0_hat + sqrt(1 - ab' - sigma^2) eps_hat + sigma z,
      // eps_hat = (x_t - sqrt(ab) x0_hat) / sqrt(1 - ab)
      const double sigma_squared = eta * eta * (1.0 - ab_prev) / (1.0 - ab) * (1.0 - ab / ab_prev);
      const double direction = std::sqrt(1.0 - ab_prev - sigma_squared) / std::sqrt(1.0 - ab);
      per_x0 = std::sqrt(ab_prev) - direction * std::sqrt(ab);
      per_xt = direction;
      noise_variance = sigma_squared;
    }
    const double slope = per_x0 * gain + per_xt;
    mean = slope * mean + per_x0 * offset;
    variance = slope * slope * variance + noise_variance;
  }
  return {mean, std::sqrt(variance)};
}

// Tolerances. Against the exact output distribution: 4 standard errors of 20000 draws (0.0035 on the mean, 0.0025 on
// the std). Against the data N(mu, s^2): the sampler's own bias on top (given per test). A wrong coefficient, a
// timestep off by one or a missing noise term moves these by far more.
constexpr double kMeanTolerance = 0.014;
constexpr double kStdTolerance = 0.01;

SampleStatistics sample_gaussian_data(const DiffusionSchedule& schedule, const SamplerOptions& options,
                                      const char* name, at::Tensor* samples_out = nullptr) {
  const at::Tensor samples =
      sample(schedule, gaussian_posterior_mean(schedule), {kSamples, 1}, at::Device(at::kCPU), options);
  const SampleStatistics measured = statistics_of(samples);
  const SampleStatistics exact =
      exact_output_statistics(schedule, sampling_timesteps(schedule, schedule.steps() - 1, options),
                              options.ddim_steps == 0, options.eta, 0.0, 1.0);
  std::cout << name << ": mean " << measured.mean << " (exact " << exact.mean << ", data " << kDataMean << "), std "
            << measured.std << " (exact " << exact.std << ", data " << kDataStd << ")\n";
  EXPECT_NEAR(measured.mean, exact.mean, kMeanTolerance) << name;
  EXPECT_NEAR(measured.std, exact.std, kStdTolerance) << name;
  EXPECT_TRUE(at::isfinite(samples).all().item<bool>()) << name;
  if (samples_out != nullptr) *samples_out = samples;
  return measured;
}

TEST(DiffusionSampling, AncestralDdpmReproducesGaussianData) {
  const DiffusionSchedule schedule = DiffusionSchedule::cosine();
  at::Tensor samples;
  const SampleStatistics stats = sample_gaussian_data(schedule, SamplerOptions{}, "DDPM-1000", &samples);
  // The fixed small variance drops Var[x0 | x_t] each step: exact std 0.4980.
  EXPECT_NEAR(stats.mean, kDataMean, kMeanTolerance);
  EXPECT_NEAR(stats.std, kDataStd, 0.015);
  EXPECT_EQ(samples.scalar_type(), at::kFloat);
}

TEST(DiffusionSampling, DeterministicDdimFiftyStepsReproducesGaussianData) {
  const DiffusionSchedule schedule = DiffusionSchedule::cosine();
  SamplerOptions options;
  options.ddim_steps = 50;
  options.eta = 0.0;
  const SampleStatistics stats = sample_gaussian_data(schedule, options, "DDIM-50 eta 0");
  // 50 Euler-like steps of the probability-flow ODE shrink the spread: exact std 0.4845.
  EXPECT_NEAR(stats.mean, kDataMean, kMeanTolerance);
  EXPECT_NEAR(stats.std, kDataStd, 0.03);
}

// DDIM with eta = 1 over every step has sigma_t^2 = the posterior variance and the same mean as the DDPM posterior, and
// draws noise in the same order, so with the same seed it must give the DDPM samples themselves, not just their
// statistics.
TEST(DiffusionSampling, DdimEtaOneOverAllStepsIsTheDdpmSampler) {
  const DiffusionSchedule schedule = DiffusionSchedule::cosine();
  SamplerOptions ddpm;
  ddpm.seed = 11;
  SamplerOptions ddim;
  ddim.seed = 11;
  ddim.ddim_steps = 1000;
  ddim.eta = 1.0;
  at::Tensor ddpm_samples;
  at::Tensor ddim_samples;
  const SampleStatistics ddpm_stats = sample_gaussian_data(schedule, ddpm, "DDPM-1000 seed 11", &ddpm_samples);
  const SampleStatistics ddim_stats = sample_gaussian_data(schedule, ddim, "DDIM-1000 eta 1 seed 11", &ddim_samples);
  EXPECT_NEAR(ddim_stats.mean, kDataMean, kMeanTolerance);
  EXPECT_NEAR(ddim_stats.std, kDataStd, 0.015);
  EXPECT_NEAR(ddim_stats.mean, ddpm_stats.mean, 1e-3);
  EXPECT_NEAR(ddim_stats.std, ddpm_stats.std, 1e-3);
  const double largest_difference = (ddim_samples - ddpm_samples).abs().max().item<double>();
  std::cout << "largest per-sample |DDIM eta 1 - DDPM|: " << largest_difference << "\n";
  EXPECT_LT(largest_difference, 1e-3);
}

// A predictor that ignores x_t (always mu) must not give the data back: the test data would catch a sampler that just
// returns the last prediction.
TEST(DiffusionSampling, GaussianCheckDetectsAWrongPredictor) {
  const DiffusionSchedule schedule = DiffusionSchedule::cosine();
  const X0Predictor constant = [](const at::Tensor& x_t, const at::Tensor&) { return at::full_like(x_t, kDataMean); };
  const SampleStatistics stats =
      statistics_of(sample(schedule, constant, {kSamples, 1}, at::Device(at::kCPU), SamplerOptions{}));
  EXPECT_GT(std::abs(stats.std - kDataStd), 0.1);
}

TEST(DiffusionSampling, SameSeedSameSamplesOtherSeedOtherSamples) {
  const DiffusionSchedule schedule = DiffusionSchedule::cosine(100);
  const X0Predictor shrink = [](const at::Tensor& x_t, const at::Tensor&) { return 0.5 * x_t; };
  for (std::int64_t ddim_steps : {0, 10}) {
    SamplerOptions options;
    options.ddim_steps = ddim_steps;
    options.eta = 0.5;
    options.seed = 3;
    const at::Tensor first = sample(schedule, shrink, {6, 4, 2}, at::Device(at::kCPU), options);
    const at::Tensor again = sample(schedule, shrink, {6, 4, 2}, at::Device(at::kCPU), options);
    options.seed = 4;
    const at::Tensor other = sample(schedule, shrink, {6, 4, 2}, at::Device(at::kCPU), options);
    EXPECT_TRUE(at::equal(first, again)) << "ddim_steps " << ddim_steps;
    EXPECT_GT((first - other).abs().max().item<double>(), 1e-3) << "ddim_steps " << ddim_steps;
    EXPECT_EQ(first.sizes(), (std::vector<std::int64_t>{6, 4, 2}));
  }
}

TEST(DiffusionSampling, PredictorSeesEveryTimestepPerSampleAndProgressIsReported) {
  const DiffusionSchedule schedule = DiffusionSchedule::cosine(100);
  std::vector<std::int64_t> seen;
  const X0Predictor record = [&seen](const at::Tensor& x_t, const at::Tensor& t) {
    EXPECT_EQ(t.scalar_type(), at::kLong);
    EXPECT_EQ(t.sizes(), (std::vector<std::int64_t>{x_t.size(0)}));
    EXPECT_EQ(t.min().item<std::int64_t>(), t.max().item<std::int64_t>());
    seen.push_back(t[0].item<std::int64_t>());
    return at::zeros_like(x_t);
  };
  std::vector<std::int64_t> done;
  SamplerOptions options;
  options.ddim_steps = 10;
  sample(schedule, record, {3, 2}, at::Device(at::kCPU), options, [&done](std::int64_t step, std::int64_t total) {
    EXPECT_EQ(total, 10);
    done.push_back(step);
  });
  EXPECT_EQ(seen, sampling_timesteps(schedule, 99, options));
  ASSERT_EQ(done.size(), 10u);
  EXPECT_EQ(done.front(), 1);
  EXPECT_EQ(done.back(), 10);
}

// Refinement: denoising from an intermediate step with an exact predictor returns the data distribution too.
TEST(DiffusionSampling, DenoiseFromAnIntermediateStepReproducesGaussianData) {
  const DiffusionSchedule schedule = DiffusionSchedule::cosine();
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(5);
  const at::Tensor x0 = kDataMean + kDataStd * at::randn({kSamples, 1}, generator, at::kFloat);
  const std::int64_t start = 400;
  const at::Tensor x_t = schedule.add_noise(x0, at::full({kSamples}, start, at::kLong),
                                            at::randn({kSamples, 1}, generator, at::kFloat));
  SamplerOptions options;
  options.ddim_steps = 20;
  const SampleStatistics stats =
      statistics_of(denoise(schedule, gaussian_posterior_mean(schedule), x_t, start, options));
  const double ab = schedule.alpha_bar_at(start);
  const SampleStatistics exact =
      exact_output_statistics(schedule, sampling_timesteps(schedule, start, options), false, 0.0,
                              std::sqrt(ab) * kDataMean, ab * kDataStd * kDataStd + 1.0 - ab);
  std::cout << "DDIM-20 eta 0 from t = 400: mean " << stats.mean << " (exact " << exact.mean << "), std " << stats.std
            << " (exact " << exact.std << ")\n";
  EXPECT_NEAR(stats.mean, exact.mean, kMeanTolerance);
  EXPECT_NEAR(stats.std, exact.std, kStdTolerance);
  EXPECT_NEAR(stats.mean, kDataMean, kMeanTolerance);
  EXPECT_NEAR(stats.std, kDataStd, 0.03);  // exact std 0.4872
}

TEST(DiffusionSampling, RejectsBadOptions) {
  const DiffusionSchedule schedule = DiffusionSchedule::cosine(100);
  const X0Predictor identity = [](const at::Tensor& x_t, const at::Tensor&) { return x_t; };
  const at::Device cpu(at::kCPU);
  SamplerOptions options;
  options.ddim_steps = 101;
  EXPECT_THROW(sample(schedule, identity, {2, 3}, cpu, options), std::invalid_argument);
  options.ddim_steps = -1;
  EXPECT_THROW(sample(schedule, identity, {2, 3}, cpu, options), std::invalid_argument);
  options.ddim_steps = 100;
  EXPECT_NO_THROW(sample(schedule, identity, {2, 3}, cpu, options));
  options.eta = -0.5;
  EXPECT_THROW(sample(schedule, identity, {2, 3}, cpu, options), std::invalid_argument);
  options.eta = 0.0;
  EXPECT_THROW(sample(schedule, X0Predictor{}, {2, 3}, cpu, options), std::invalid_argument);
  EXPECT_THROW(sample(schedule, identity, {}, cpu, options), std::invalid_argument);
  EXPECT_THROW(sample(schedule, identity, {0, 3}, cpu, options), std::invalid_argument);
  const X0Predictor wrong_shape = [](const at::Tensor& x_t, const at::Tensor&) { return x_t.sum(1); };
  EXPECT_THROW(sample(schedule, wrong_shape, {2, 3}, cpu, options), std::runtime_error);
  EXPECT_THROW(denoise(schedule, identity, at::zeros({2, 3}), 100, options), std::invalid_argument);
}

}  // namespace
}  // namespace skelaug::models
