#pragma once

// The geometry both clip writers (GIF and HTML) share, so the two pictures of the same panels agree: the grid's
// layout, the one scale for every panel, each panel's view and the side (left, right, centre) of each bone.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "skelaug/data/topology.h"
#include "skelaug/visual/clip_render.h"

namespace skelaug::visual {

enum class BodySide { kCentre = 0, kLeft = 1, kRight = 2 };

struct GridPanel {
  const data::SkeletonDataset* dataset = nullptr;
  const data::Topology* topology = nullptr;
  std::int64_t clip = 0;
  std::int64_t frames = 0;                        // the clip's frames shown (at most the grid's frames)
  // Metres: the point drawn at the panel's centre. Vertically the middle of the clip's extent; horizontally too
  // when the whole clip fits the panel (one entry), or else one entry per shown frame: a camera that follows the
  // root only as far as needed to keep it in view (a long walk), so the figure is never shrunk to fit its path.
  std::vector<double> centre_x;
  double centre_y = 0;
  int left = 0, top = 0;                          // pixels: the panel's corner in the grid
  std::string caption;
  std::vector<std::pair<int, int>> bones;         // (child, parent)
  std::vector<BodySide> bone_sides;               // the child's side, one per bone
};

struct ClipGrid {
  int columns = 0, rows = 0;
  int panel_size = 0;                             // the drawing's side, pixels
  int caption_height = 0;                         // the strip under each drawing, pixels
  int width = 0, height = 0;                      // the whole picture, pixels
  double pixels_per_metre = 0;
  double fps = 0;
  std::int64_t frames = 0;                        // the animation's frames (the longest panel's shown frames)
  std::vector<GridPanel> panels;

  // Pixel position of `joint` of `panel` at `frame` (clamped to the panel's last frame: shorter clips hold it).
  std::pair<double, double> project(const GridPanel& panel, std::int64_t frame, int joint) const;
};

// Validates `panels` and `options` (core::UserError as render_clips documents) and lays the grid out.
ClipGrid make_clip_grid(const std::vector<ClipPanel>& panels, const RenderOptions& options);

}  // namespace skelaug::visual
