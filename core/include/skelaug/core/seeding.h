#pragma once

#include <cstdint>

namespace skelaug::core {

// A 64-bit mix of several values (SplitMix64's finaliser, applied in a chain): every random stream in skelaug is
// seeded from a mix of what identifies it ((seed, epoch, clip) for a loader sample, (seed, step, clip) for a
// diffusion draw, ...), so results do not depend on which thread or rank computes them, nor on the order they are
// computed in.
std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b, std::uint64_t c = 0);

}  // namespace skelaug::core
