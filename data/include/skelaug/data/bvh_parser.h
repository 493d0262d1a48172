#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace skelaug::data {

// The BVH file (Biovision Hierarchy): a joint tree with per-joint channels, then one row of channel values per
// frame. Parsing needs no LibTorch and reads a 1 MB CMU file in a few tens of milliseconds.

enum class BvhChannel { kXposition, kYposition, kZposition, kXrotation, kYrotation, kZrotation };

// "Xposition", ..., "Zrotation".
const char* bvh_channel_name(BvhChannel channel);

struct BvhJoint {
  std::string name;  // an End Site is named "<parent name>_End"
  int parent = -1;   // index into BvhSkeleton::joints; parents come before their children; -1 for the root
  std::array<double, 3> offset{0, 0, 0};  // from the parent joint, in the parent's frame, file units
  std::vector<BvhChannel> channels;       // in file order; rotations compose in this order (intrinsic)
  int first_channel = 0;                  // column of channels[0] in a motion row
  bool end_site = false;
  int line = 0;  // where the joint is declared, for messages
};

struct BvhSkeleton {
  std::vector<BvhJoint> joints;  // depth-first file order; joints[0] is the root
  int num_channels = 0;          // values per motion row

  // Index of the joint called `name`; -1 if none. Throws core::UserError ("<where>: ...") if two joints share it.
  int find(const std::string& name, const std::string& where) const;
};

struct BvhMotion {
  BvhSkeleton skeleton;
  std::int64_t frames = 0;
  double frame_time = 0;       // seconds, as the file states it
  std::vector<double> values;  // frames x skeleton.num_channels, row-major; every value finite

  // 1 / frame_time, snapped to the nearest whole number when within 1e-4 of it relatively: files round the frame time
  // (CMU: "Frame Time: .0083333"), and 120.0005 fps would carry that rounding into every timestamp downstream.
  double fps() const;
};

// Parses BVH text. `where` names the source in messages. Anything malformed -- a truncated file, a token that is not
// a number, NaN/Inf, a motion row with the wrong number of values, a frame count that differs from "Frames:", an
// unknown channel, unbalanced braces -- throws one core::UserError "<where>:<line>: <what is wrong>".
BvhMotion parse_bvh(const std::string& text, const std::string& where);
// Reads and parses a file (CRLF or LF line ends); messages name the file.
BvhMotion read_bvh(const std::filesystem::path& file);

}  // namespace skelaug::data
