#pragma once

#include <cstdint>

namespace skelaug::data {

// The frame rates skelaug accepts from files and options: 0.1 to 10,000 frames per second. A rate outside them is a
// damaged file or a wrong unit, and resampling between it and another rate would allocate without bound (a BVH
// "Frame Time: 1e300" resampled to 20 fps asks for 1e301 frames).
inline constexpr double kMinFps = 0.1;
inline constexpr double kMaxFps = 10000.0;

// The longest clip an importer writes: a million frames (over 9 hours at 30 fps).
inline constexpr std::int64_t kMaxClipFrames = 1000000;

}  // namespace skelaug::data
