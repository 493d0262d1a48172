// The demo dataset's random numbers: a seeded std::mt19937_64 (whose output sequence the standard fixes) with the
// distributions written out here, because std::uniform_real_distribution and std::normal_distribution are
// implementation-defined and the demo must give the same bytes for the same seed on every standard library.
#pragma once

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <random>

namespace skelaug::data::demo {

// SplitMix64's finaliser: spreads a 64-bit value over all bits, so neighbouring seeds give unrelated streams.
inline std::uint64_t mix64(std::uint64_t value) {
  value += 0x9E3779B97F4A7C15ULL;
  value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ULL;
  value = (value ^ (value >> 27)) * 0x94D049BB133111EBULL;
  return value ^ (value >> 31);
}

// One seed from a list of keys (the user's seed, a purpose tag, indices): each clip and each subject gets its own
// stream, so a clip does not change when clips are added before or after it.
inline std::uint64_t derive_seed(std::initializer_list<std::uint64_t> keys) {
  std::uint64_t state = 0x5EED5EED5EED5EEDULL;
  for (const auto key : keys) state = mix64(state ^ mix64(key));
  return state;
}

class DemoRandom {
 public:
  explicit DemoRandom(std::uint64_t seed) : engine_(seed) {}

  // Uniform in [0, 1) from the top 53 bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  // Uniform integer in [low, high].
  int integer(int low, int high) {
    const auto span = static_cast<std::uint64_t>(high - low) + 1;
    return low + static_cast<int>(engine_() % span);  // the bias is below 2^-50 for the small spans used here
  }
  bool chance(double probability) { return uniform() < probability; }
  // Box-Muller; the second value of each pair is kept for the next call.
  double normal(double mean = 0.0, double stddev = 1.0) {
    if (has_spare_) {
      has_spare_ = false;
      return mean + stddev * spare_;
    }
    const double u1 = 1.0 - uniform();  // (0, 1]: log(u1) is finite
    const double u2 = uniform();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = 6.283185307179586 * u2;
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return mean + stddev * radius * std::cos(angle);
  }
  // A positive factor around 1 whose logarithm is normal: multiplicative variation (tempo, size, amplitude).
  double log_normal_factor(double log_stddev) { return std::exp(normal(0.0, log_stddev)); }

 private:
  std::mt19937_64 engine_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace skelaug::data::demo
