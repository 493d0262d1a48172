#pragma once

// Small synthetic clips whose drawings are known exactly, and readers of the pictures' file formats.
#include <gd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "skelaug/data/skeleton_dataset.h"
#include "skelaug/data/topology.h"

namespace skelaug::testing {

// A two-joint skeleton: one bone from the root to its tip, no left or right.
inline const std::string& stick_topology() {
  static const std::string name = [] {
    data::Topology topology;
    topology.name = "visual_test_stick";
    topology.joint_names = {"root", "tip"};
    topology.parents = {-1, 0};
    return data::register_topology(topology, "stick_clips.h").name;
  }();
  return name;
}

// A centre joint with a left and a right arm (mirror pairs by the left_/right_ names).
inline const std::string& arms_topology() {
  static const std::string name = [] {
    data::Topology topology;
    topology.name = "visual_test_arms";
    topology.joint_names = {"chest", "left_hand", "right_hand"};
    topology.parents = {-1, 0, 0};
    topology.mirror_pairs = {{1, 2}};
    return data::register_topology(topology, "stick_clips.h").name;
  }();
  return name;
}

// A dataset on stick_topology(): clip i holds `lengths[i]` frames of a bone from (0, 0, 0) to (size, size, 0),
// size = sizes[i] metres.
inline data::SkeletonDataset stick_dataset(const std::vector<std::int64_t>& lengths, const std::vector<float>& sizes,
                                           double fps = 10) {
  data::SkeletonDataset dataset;
  dataset.topology = stick_topology();
  dataset.fps = fps;
  dataset.class_names = {"stick"};
  for (std::size_t clip = 0; clip < lengths.size(); ++clip) {
    std::vector<float> values;
    for (std::int64_t frame = 0; frame < lengths[clip]; ++frame) {
      values.insert(values.end(), {0, 0, 0, sizes[clip], sizes[clip], 0});
    }
    dataset.add_clip(values.data(), lengths[clip], 0, {});
  }
  dataset.validate("stick_dataset");
  return dataset;
}

inline std::string read_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + file.string());
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

struct GdImageDeleter {
  void operator()(gdImagePtr image) const { gdImageDestroy(image); }
};
using GdImage = std::unique_ptr<gdImage, GdImageDeleter>;

// The blocks of a GIF file: how many images it holds, their delays (hundredths of a second), and whether it carries
// the NETSCAPE2.0 looping extension. Throws on a malformed stream.
struct GifStructure {
  int width = 0, height = 0;
  int images = 0;
  std::vector<int> delays;
  bool loops = false;
  bool trailer = false;
};

inline GifStructure parse_gif(const std::string& bytes) {
  GifStructure gif;
  auto byte = [&](std::size_t at) {
    if (at >= bytes.size()) throw std::runtime_error("GIF ends early at byte " + std::to_string(at));
    return static_cast<unsigned char>(bytes[at]);
  };
  auto skip_sub_blocks = [&](std::size_t at) {
    while (byte(at) != 0) at += byte(at) + 1u;
    return at + 1;
  };
  if (bytes.compare(0, 6, "GIF89a") != 0) throw std::runtime_error("not GIF89a");
  gif.width = byte(6) | byte(7) << 8;
  gif.height = byte(8) | byte(9) << 8;
  std::size_t at = 13;
  if (byte(10) & 0x80) at += 3u * (2u << (byte(10) & 7));
  while (at < bytes.size()) {
    const auto block = byte(at);
    if (block == 0x3B) {
      gif.trailer = true;
      break;
    }
    if (block == 0x21) {
      const auto label = byte(at + 1);
      if (label == 0xF9) gif.delays.push_back(byte(at + 4) | byte(at + 5) << 8);
      if (label == 0xFF && bytes.compare(at + 3, 11, "NETSCAPE2.0") == 0) gif.loops = true;
      at = skip_sub_blocks(at + 2);
    } else if (block == 0x2C) {
      ++gif.images;
      const auto flags = byte(at + 9);
      at += 10;
      if (flags & 0x80) at += 3u * (2u << (flags & 7));
      at = skip_sub_blocks(at + 1);  // after the LZW minimum code size
    } else {
      throw std::runtime_error("unexpected GIF block " + std::to_string(block) + " at byte " + std::to_string(at));
    }
  }
  return gif;
}

}  // namespace skelaug::testing
