#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace skelaug::data {

// How a generated clip was made (`skelaug sample`); a real clip has seed -1. The dataset file holds these as the
// optional columns gen_exemplar, gen_seed, gen_rounds, gen_deviation and gen_confidence, written together when any
// clip is generated.
struct GenerationProvenance {
  std::int64_t exemplar = -1;  // the exemplar's clip index in the generator's training file; -1 in label mode
  std::int64_t seed = -1;      // the seed its noise and dropout came from (63 bits); -1: not generated
  std::int64_t rounds = 0;     // refinement rounds it went through
  float deviation = std::numeric_limits<float>::quiet_NaN();   // from its exemplar, metres; NaN: not computed
  float confidence = std::numeric_limits<float>::quiet_NaN();  // the refining recogniser's; NaN: not computed
};

// Per-clip facts besides the joints and the label. Empty fields are "unknown" (-1 / "").
struct ClipInfo {
  std::int64_t subject = -1;  // performer id (NTU Pppp, a demo subject)
  std::int64_t camera = -1;   // camera id (NTU Cccc)
  std::int64_t body = -1;     // which body of a multi-body recording (0, 1, ...)
  std::string split;          // "train", "test", "" (none)
  std::string source;         // the file (or file:entry) the clip came from
  GenerationProvenance generation;  // generated clips only
};

// Variable-length clips of 3D joint positions on one topology, stored back to back:
// clip i is frames [offsets[i], offsets[i+1]) of `joints` ([total_frames, J, 3], float32, metres).
// The optional per-clip columns are either empty or hold one value per clip; save_dataset writes only the columns
// in which at least one clip has a known value.
struct SkeletonDataset {
  std::string topology;  // a name topology() accepts
  double fps = 0;
  std::vector<std::string> class_names;
  std::vector<float> joints;
  std::vector<std::int64_t> offsets{0};
  std::vector<std::int64_t> labels;
  std::vector<std::int64_t> subject;
  std::vector<std::int64_t> camera;
  std::vector<std::int64_t> body;
  std::vector<std::string> split;
  std::vector<std::string> source;
  std::vector<std::int64_t> gen_exemplar;  // the GenerationProvenance columns: all empty or all one per clip
  std::vector<std::int64_t> gen_seed;
  std::vector<std::int64_t> gen_rounds;
  std::vector<float> gen_deviation;
  std::vector<float> gen_confidence;

  std::size_t size() const { return labels.size(); }
  int num_joints() const;  // from the topology
  std::int64_t total_frames() const { return offsets.back(); }
  std::int64_t frames(std::size_t clip) const { return offsets[clip + 1] - offsets[clip]; }
  const float* clip_data(std::size_t clip) const;  // frames(clip) * J * 3 floats
  ClipInfo info(std::size_t clip) const;

  // Appends a clip of `frames` x J x 3 floats.
  void add_clip(const float* data, std::int64_t frames, std::int64_t label, const ClipInfo& info);
  // Appends every clip of `other` (same topology and class names required).
  void append(const SkeletonDataset& other);

  // Throws core::UserError "<where>: <what is wrong>" for: an unknown topology, fps <= 0, offsets not starting at 0,
  // not increasing or not matching the joint count, a label outside the classes, an optional column of the wrong
  // length, a non-finite coordinate (naming the clip and frame), an empty clip.
  void validate(const std::string& where) const;
};

}  // namespace skelaug::data
