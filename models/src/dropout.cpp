#include "skelaug/models/dropout.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace skelaug::models {
namespace {

// SplitMix64: the n-th output of the generator seeded with `seed` is mix64(seed + n * kGamma), so any element's
// random word is computed directly from its index, in any order, on any thread.
constexpr std::uint64_t kGamma = 0x9E3779B97F4A7C15ULL;

inline std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Element i is kept when its 32-bit word is below `threshold`; words are the two halves of the 64-bit output for
// the pair i / 2, so one hash serves two elements.
struct KeepRule {
  std::uint64_t seed = 0;
  std::uint32_t threshold = 0;
  float scale = 1.0F;

  static KeepRule with_seed(std::uint64_t seed, double p) {
    KeepRule rule;
    rule.seed = seed;
    const double keep = std::ldexp(1.0 - p, 32);
    rule.threshold = keep >= 4294967295.0 ? 0xFFFFFFFFU : static_cast<std::uint32_t>(keep);
    rule.scale = static_cast<float>(1.0 / (1.0 - p));
    return rule;
  }

};

// A fresh seed from the default CPU generator, under its lock as LibTorch's own samplers take it.
std::uint64_t draw_seed() {
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  return generator.get<at::CPUGeneratorImpl>()->random64();
}

// The random words of pairs [first_pair, first_pair + pairs): the hot loop, built for AVX-512 and AVX2 beside the
// baseline and picked at load time (the library itself is compiled for baseline x86-64, where this loop would run
// scalar 64-bit multiplies), and compiled at -O3 (CMakeLists.txt) so that GCC vectorises it.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#elif defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
// Older GCC may not know the x86-64-v* levels; AVX-512F alone emulates the 64-bit multiplies (measured 1.7x slower).
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
void pair_words(std::uint64_t seed, std::int64_t first_pair, std::int64_t pairs, std::uint64_t* words) {
  for (std::int64_t k = 0; k < pairs; ++k) {
    words[k] = mix64(seed + static_cast<std::uint64_t>(first_pair + k + 1) * kGamma);
  }
}

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "element 2k reads the low half of pair k's word through a uint32 view");

enum class Pass { kForward, kForwardRelu, kBackwardRelu };

// out[i] for i in [0, n): the masked, scaled input (kForward; its own backward), the same after a ReLU
// (kForwardRelu), or the fused ReLU's backward: the scaled gradient where the saved output is positive
// (kBackwardRelu, which needs no words). In parallel over blocks of element pairs. Each element is multiplied by a
// selected factor (scale or 0) rather than selected itself, so that GCC vectorises the loops (as at::dropout, a NaN
// input stays NaN where dropped).
template <Pass kPass, typename scalar_t>
void masked_pass(const scalar_t* in, const scalar_t* out_saved, scalar_t* out, std::int64_t n, const KeepRule& rule) {
  constexpr std::int64_t kBlockPairs = 1024;
  const std::int64_t pairs = (n + 1) / 2;
  at::parallel_for(0, pairs, at::internal::GRAIN_SIZE / 2, [&](std::int64_t begin, std::int64_t end) {
    // Locals, not captures: a float captured by reference might alias the output, which stops vectorisation.
    const float scale = rule.scale;
    const std::uint32_t threshold = rule.threshold;
    std::uint64_t block_words[kBlockPairs];
    for (std::int64_t block = begin; block < end; block += kBlockPairs) {
      const std::int64_t block_pairs = std::min(kBlockPairs, end - block);
      const std::int64_t first = 2 * block;
      const std::int64_t count = std::min(2 * block_pairs, n - first);
      const scalar_t* x = in + first;
      scalar_t* y = out + first;
      if constexpr (kPass == Pass::kBackwardRelu) {
        const scalar_t* saved = out_saved + first;
        for (std::int64_t i = 0; i < count; ++i) {
          y[i] = static_cast<scalar_t>(static_cast<float>(x[i]) * (static_cast<float>(saved[i]) > 0.0F ? scale : 0.0F));
        }
      } else {
        pair_words(rule.seed, block, block_pairs, block_words);
        std::uint32_t words[2 * kBlockPairs];
        std::memcpy(words, block_words, sizeof words);
        for (std::int64_t i = 0; i < count; ++i) {
          float value = static_cast<float>(x[i]);
          if constexpr (kPass == Pass::kForwardRelu) value = std::max(value, 0.0F);
          y[i] = static_cast<scalar_t>(value * (words[i] < threshold ? scale : 0.0F));
        }
      }
    }
  });
}

// The seeds of one dropout call: one for the whole tensor, or one per row (DropoutRowSeeds), row r being the r-th of
// rules.size() equal contiguous chunks of the batch-major tensor.
template <Pass kPass>
torch::Tensor run_pass(const torch::Tensor& input, const torch::Tensor& saved_output, const std::vector<KeepRule>& rules) {
  const auto in = input.contiguous();
  const auto saved = saved_output.defined() ? saved_output.contiguous() : saved_output;
  auto out = at::empty_like(in, at::MemoryFormat::Contiguous);
  const auto rows = static_cast<std::int64_t>(rules.size());
  const std::int64_t row_elements = in.numel() / rows;
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kBFloat16, at::kHalf, in.scalar_type(), "counter_dropout", [&] {
    for (std::int64_t row = 0; row < rows; ++row) {
      const auto offset = row * row_elements;
      masked_pass<kPass, scalar_t>(in.data_ptr<scalar_t>() + offset,
                                   saved.defined() ? saved.data_ptr<scalar_t>() + offset : nullptr,
                                   out.data_ptr<scalar_t>() + offset, row_elements, rules[static_cast<std::size_t>(row)]);
    }
  });
  return out;
}

// The row seeds in force on this thread (DropoutRowSeeds), and how many dropout calls have been made under them.
struct RowSeedContext {
  const std::vector<std::uint64_t>* seeds = nullptr;
  std::uint64_t calls = 0;
};
thread_local RowSeedContext t_row_seeds;

// This call's seeds: per row when row seeds are in force and the tensor's leading dimension is a multiple of their
// count (the generator's tensors are batch-major: [B, T, D], [B*H, T, T], [B, T, H]); else one drawn from LibTorch's
// generator.
std::vector<std::uint64_t> call_seeds(const torch::Tensor& x) {
  const auto* seeds = t_row_seeds.seeds;
  if (seeds == nullptr || seeds->empty() || x.dim() == 0 ||
      x.size(0) % static_cast<std::int64_t>(seeds->size()) != 0) {
    return {draw_seed()};
  }
  const auto call = t_row_seeds.calls++;
  std::vector<std::uint64_t> per_row;
  per_row.reserve(seeds->size());
  for (const auto seed : *seeds) per_row.push_back(mix64(mix64(seed + kGamma) ^ (call + 1) * kGamma));
  return per_row;
}

std::vector<KeepRule> rules_for(const std::vector<std::uint64_t>& seeds, double p) {
  std::vector<KeepRule> rules;
  rules.reserve(seeds.size());
  for (const auto seed : seeds) rules.push_back(KeepRule::with_seed(seed, p));
  return rules;
}

// The autograd node: nothing but the seeds are kept for plain dropout, whose backward is the same masked pass over the
// incoming gradient; the fused ReLU keeps its output (which the next layer keeps anyway for its own backward).
class CounterDropoutFunction : public torch::autograd::Function<CounterDropoutFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* context, const torch::Tensor& x, double p,
                               bool relu) {
    const auto seeds = call_seeds(x);
    const auto rules = rules_for(seeds, p);
    auto out = relu ? run_pass<Pass::kForwardRelu>(x, {}, rules) : run_pass<Pass::kForward>(x, {}, rules);
    context->saved_data["seeds"] = std::vector<std::int64_t>(seeds.begin(), seeds.end());
    context->saved_data["p"] = p;
    context->saved_data["relu"] = relu;
    if (relu) context->save_for_backward({out});
    return out;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* context,
                                               torch::autograd::tensor_list gradients) {
    const auto& gradient = gradients[0];
    torch::Tensor input_gradient;
    if (gradient.defined()) {
      const auto saved_seeds = context->saved_data["seeds"].toIntVector();
      const auto rules = rules_for(std::vector<std::uint64_t>(saved_seeds.begin(), saved_seeds.end()),
                                   context->saved_data["p"].toDouble());
      input_gradient = context->saved_data["relu"].toBool()
                           ? run_pass<Pass::kBackwardRelu>(gradient, context->get_saved_variables()[0], rules)
                           : run_pass<Pass::kForward>(gradient, {}, rules);
    }
    return {input_gradient, torch::Tensor(), torch::Tensor()};
  }
};

void check_probability(double p) {
  if (!(p >= 0.0 && p <= 1.0)) {
    throw std::invalid_argument("dropout probability " + std::to_string(p) + " is not in [0, 1]");
  }
}

// Whether a DropoutSharedOverFrames is in force on this thread.
thread_local bool t_shared_over_frames = false;

torch::Tensor apply_dropout(const torch::Tensor& x, double p, bool relu) {
  check_probability(p);
  const auto source = [&] { return relu ? at::relu(x) : x; };
  if (p == 0.0) return source();
  if (p == 1.0) return source().mul(0.0);
  if (t_shared_over_frames && x.dim() >= 3 && x.size(1) > 1) {
    // The mask of one frame, drawn as dropout of ones (so it is scaled, seeded and keyed by row like any other call),
    // broadcast over dimension 1.
    auto frame_shape = x.sizes().vec();
    frame_shape[1] = 1;
    return source() * apply_dropout(at::ones(frame_shape, x.options()), p, /*relu=*/false);
  }
  if (!x.device().is_cpu()) return at::dropout(source(), p, /*train=*/true);
  return CounterDropoutFunction::apply(x, p, relu);
}

}  // namespace

DropoutRowSeeds::DropoutRowSeeds(std::vector<std::uint64_t> seeds)
    : seeds_(std::move(seeds)), previous_seeds_(t_row_seeds.seeds), previous_calls_(t_row_seeds.calls) {
  t_row_seeds = {&seeds_, 0};
}

DropoutRowSeeds::~DropoutRowSeeds() { t_row_seeds = {previous_seeds_, previous_calls_}; }

DropoutSharedOverFrames::DropoutSharedOverFrames() : previous_(t_shared_over_frames) { t_shared_over_frames = true; }

DropoutSharedOverFrames::~DropoutSharedOverFrames() { t_shared_over_frames = previous_; }

torch::Tensor counter_dropout(const torch::Tensor& x, double p) { return apply_dropout(x, p, /*relu=*/false); }

torch::Tensor counter_relu_dropout(const torch::Tensor& x, double p) { return apply_dropout(x, p, /*relu=*/true); }

CounterDropoutImpl::CounterDropoutImpl(double p) : p_(0.0) { set_p(p); }

void CounterDropoutImpl::set_p(double p) {
  check_probability(p);
  p_ = p;
}

torch::Tensor CounterDropoutImpl::forward(const torch::Tensor& x) {
  return is_training() ? counter_dropout(x, p_) : x;
}

torch::Tensor CounterDropoutImpl::forward_relu(const torch::Tensor& x) {
  return is_training() ? counter_relu_dropout(x, p_) : at::relu(x);
}

}  // namespace skelaug::models
