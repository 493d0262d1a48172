#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "skelaug/data/skeleton_dataset.h"

namespace skelaug::data {

// ---- The BVH file (Biovision Hierarchy): a joint tree with per-joint channels, then one row of channel values per
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

// ---- Forward kinematics and resampling (bvh_kinematics.cpp).

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

// ---- Import into a skelaug dataset (bvh_import.cpp).

// Which BVH joints each topology joint is taken from, in topology joint order: one joint name, or several whose
// positions are averaged (for a joint the BVH skeleton has no single counterpart of, such as SMPL's spine3 or collars).
struct BvhJointMap {
  std::string topology;
  std::vector<std::vector<std::string>> sources;  // one list per topology joint
  std::string where;                              // "builtin" or the map file, for messages
};

// A YAML mapping from topology joint name to a BVH joint name or a list of them, e.g. `left_knee: LeftKnee` or
// `spine3: [Chest2, Neck]`. Every topology joint must be mapped. Throws core::UserError naming the file and line.
BvhJointMap read_bvh_joint_map(const std::filesystem::path& file, const std::string& topology);
// The built-in map from the CMU mocap skeleton (Hips, LeftHip, LeftKnee, ..., as in the CMU BVH conversions) to smpl24
// or hml22. Throws core::UserError for a topology it has no map for.
BvhJointMap builtin_bvh_joint_map(const std::string& topology);
// The map as YAML text (topology joint names as keys), the format read_bvh_joint_map reads.
std::string bvh_joint_map_yaml(const BvhJointMap& map);

// Positions of the topology's joints: frames x topology joints x 3, from frames x BVH joints x 3 world positions.
// Throws core::UserError "<where>: joint map <map.where>: ..." for a BVH joint the skeleton lacks.
std::vector<double> map_bvh_joints(const std::vector<double>& world, std::int64_t frames, const BvhSkeleton& skeleton,
                                  const BvhJointMap& map, const std::string& where);

struct BvhImportOptions {
  std::string topology;   // required: a topology() name
  std::string joint_map;  // required: a YAML file, or "builtin"
  double fps = 0;         // 0: keep the files' rate (all files must share it)
  double scale = 1;       // file units to metres (CMU: 0.0254 / 0.45 = 0.056444)
  std::string label;      // one class for every file, or ...
  std::string label_map;  // ... a YAML mapping from file stem to class name (exactly one of the two)
};

// One clip per file (ClipInfo.source = the file name), class names sorted and unique. Throws core::UserError naming
// the file (and line) for anything wrong in a file or an option.
SkeletonDataset import_bvh_files(const std::vector<std::filesystem::path>& files, const BvhImportOptions& options);

}  // namespace skelaug::data
