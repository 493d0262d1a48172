#pragma once

#include <cstdint>
#include <vector>

#include "skelaug/data/bvh_parser.h"

namespace skelaug::data {

// Forward kinematics and resampling of a parsed BVH motion.

// World positions of every joint (End Sites included) in every frame: frames x joints x 3, in file units times
// `scale`. A joint's local transform is translation then rotation: the translation is its OFFSET, with each component
// that has a position channel replaced by that channel's value (files with a non-zero root OFFSET carry the full root
// position in the channels); the rotation is the product of its rotation channels (degrees) in file order, i.e. for
// "Zrotation Xrotation Yrotation" R = Rz * Rx * Ry, applied to column vectors.
std::vector<double> bvh_world_positions(const BvhMotion& motion, double scale);

// Resamples frames x points x 3 positions from `source_fps` to `target_fps` by linear interpolation of positions
// between the two nearest source frames; output frame k is at time k / target_fps and the clip keeps every output time
// that lies within the source clip, so there are floor((frames - 1) * target / source) + 1 output frames (with a small
// tolerance for rounding). An integer ratio (120 -> 30) picks source frames exactly, so bone lengths are kept; between
// frames interpolation shortens a rotating bone slightly (by 1 - cos(angle / 2) of the per-frame rotation).
std::vector<double> resample_positions(const std::vector<double>& positions, std::int64_t frames, int points,
                                       double source_fps, double target_fps, std::int64_t* resampled_frames);

// Number of frames resample_positions yields.
std::int64_t resampled_frame_count(std::int64_t frames, double source_fps, double target_fps);

}  // namespace skelaug::data
