#include "clip_grid.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "skelaug/core/error.h"

namespace skelaug::visual {
namespace {

constexpr int kCaptionHeight = 16;      // one line of libgd's 6x13 "small" font, with a pixel above and below
constexpr double kMarginFraction = 0.08;  // of the panel side, kept free around the largest clip

std::vector<BodySide> bone_sides(const data::Topology& topology, const std::vector<std::pair<int, int>>& bones) {
  std::vector<BodySide> joint_side(static_cast<std::size_t>(topology.num_joints()), BodySide::kCentre);
  for (const auto& [left, right] : topology.mirror_pairs) {
    joint_side[static_cast<std::size_t>(left)] = BodySide::kLeft;
    joint_side[static_cast<std::size_t>(right)] = BodySide::kRight;
  }
  std::vector<BodySide> sides;
  sides.reserve(bones.size());
  for (const auto& bone : bones) sides.push_back(joint_side[static_cast<std::size_t>(bone.first)]);
  return sides;
}

void validate_options(const RenderOptions& options) {
  if (options.columns < 0) throw core::UserError(fmt::format("render: columns {} is negative", options.columns));
  if (options.panel_size < 32 || options.panel_size > 2048) {
    throw core::UserError(fmt::format("render: panel size {} px is outside 32..2048", options.panel_size));
  }
  if (!(options.fps >= 0) || !std::isfinite(options.fps)) {
    throw core::UserError(fmt::format("render: fps {} is not a finite number >= 0", options.fps));
  }
  if (options.max_frames < 0) {
    throw core::UserError(fmt::format("render: max frames {} is negative", options.max_frames));
  }
}

}  // namespace

std::pair<double, double> ClipGrid::project(const GridPanel& panel, std::int64_t frame, int joint) const {
  const auto shown = std::min(frame, panel.frames - 1);
  const int joints = panel.topology->num_joints();
  const float* position = panel.dataset->clip_data(static_cast<std::size_t>(panel.clip)) + (shown * joints + joint) * 3;
  const double half = panel_size / 2.0;
  const double centre_x = panel.centre_x[std::min(static_cast<std::size_t>(shown), panel.centre_x.size() - 1)];
  // Front view: x to the right, y up; image rows grow downwards.
  return {panel.left + half + (position[0] - centre_x) * pixels_per_metre,
          panel.top + half - (position[1] - panel.centre_y) * pixels_per_metre};
}

ClipGrid make_clip_grid(const std::vector<ClipPanel>& panels, const RenderOptions& options) {
  if (panels.empty()) throw core::UserError("render: no clips to render");
  validate_options(options);

  ClipGrid grid;
  grid.panel_size = options.panel_size;
  grid.caption_height = kCaptionHeight;
  const auto count = static_cast<int>(panels.size());
  grid.columns = options.columns > 0 ? std::min(options.columns, count)
                                     : static_cast<int>(std::ceil(std::sqrt(static_cast<double>(count))));
  grid.rows = (count + grid.columns - 1) / grid.columns;
  grid.width = grid.columns * grid.panel_size;
  grid.height = grid.rows * (grid.panel_size + grid.caption_height);

  std::int64_t longest = 0;
  for (std::size_t i = 0; i < panels.size(); ++i) {
    const auto& panel = panels[i];
    if (panel.dataset == nullptr) throw core::UserError(fmt::format("render: panel {} has no dataset", i));
    if (panel.clip < 0 || static_cast<std::size_t>(panel.clip) >= panel.dataset->size()) {
      throw core::UserError(fmt::format("render: panel {}: clip {} is out of range (the dataset has {} clips)", i,
                                        panel.clip, panel.dataset->size()));
    }
    longest = std::max(longest, panel.dataset->frames(static_cast<std::size_t>(panel.clip)));
  }
  grid.frames = options.max_frames > 0 ? std::min(longest, options.max_frames) : longest;
  grid.fps = options.fps > 0 ? options.fps : panels.front().dataset->fps;
  if (!(grid.fps > 0)) throw core::UserError(fmt::format("render: the first dataset's fps {} is not > 0", grid.fps));

  // One scale for every panel, so a child stays smaller than an adult: the one that fits the largest single pose and
  // the tallest vertical extent of a clip (a jump) into the panel. A clip's horizontal path (a walk) is not fitted:
  // the panel follows it instead (centre_x), or the figures of a walking clip would shrink to dots.
  double largest_extent = 0;
  struct ClipExtent {
    double min_x, max_x;
  };
  std::vector<ClipExtent> clip_extents;
  for (std::size_t i = 0; i < panels.size(); ++i) {
    const auto& source = panels[i];
    GridPanel panel;
    panel.dataset = source.dataset;
    panel.topology = &data::topology(source.dataset->topology);
    panel.clip = source.clip;
    panel.frames = std::min(source.dataset->frames(static_cast<std::size_t>(source.clip)), grid.frames);
    panel.caption = source.caption;
    panel.bones = panel.topology->edges();
    panel.bone_sides = bone_sides(*panel.topology, panel.bones);
    panel.left = static_cast<int>(i) % grid.columns * grid.panel_size;
    panel.top = static_cast<int>(i) / grid.columns * (grid.panel_size + grid.caption_height);

    constexpr double kInfinity = std::numeric_limits<double>::infinity();
    double clip_min_x = kInfinity, clip_max_x = -kInfinity, clip_min_y = kInfinity, clip_max_y = -kInfinity;
    const float* joints = source.dataset->clip_data(static_cast<std::size_t>(source.clip));
    const int joint_count = panel.topology->num_joints();
    for (std::int64_t frame = 0; frame < panel.frames; ++frame) {
      double min_x = kInfinity, max_x = -kInfinity, min_y = kInfinity, max_y = -kInfinity;
      for (int joint = 0; joint < joint_count; ++joint) {
        const float* position = joints + (frame * joint_count + joint) * 3;
        min_x = std::min(min_x, static_cast<double>(position[0]));
        max_x = std::max(max_x, static_cast<double>(position[0]));
        min_y = std::min(min_y, static_cast<double>(position[1]));
        max_y = std::max(max_y, static_cast<double>(position[1]));
      }
      largest_extent = std::max({largest_extent, max_x - min_x, max_y - min_y});
      clip_min_x = std::min(clip_min_x, min_x);
      clip_max_x = std::max(clip_max_x, max_x);
      clip_min_y = std::min(clip_min_y, min_y);
      clip_max_y = std::max(clip_max_y, max_y);
    }
    largest_extent = std::max(largest_extent, clip_max_y - clip_min_y);
    panel.centre_y = (clip_min_y + clip_max_y) / 2;
    clip_extents.push_back({clip_min_x, clip_max_x});
    grid.panels.push_back(std::move(panel));
  }
  // Clips that never leave one point still need a scale: draw them as if the largest pose were 2 m, a person's size.
  constexpr double kPointClipExtent = 2.0;
  if (largest_extent < 1e-6) largest_extent = kPointClipExtent;
  const double usable = grid.panel_size * (1 - 2 * kMarginFraction);
  grid.pixels_per_metre = usable / largest_extent;

  const double half_view = usable / 2 / grid.pixels_per_metre;  // metres from the panel's centre to its margin
  for (std::size_t i = 0; i < grid.panels.size(); ++i) {
    auto& panel = grid.panels[i];
    const auto [min_x, max_x] = clip_extents[i];
    if (max_x - min_x <= 2 * half_view) {
      panel.centre_x = {(min_x + max_x) / 2};
      continue;
    }
    // The root (joint 0), kept in view, with the camera held still near the path's ends.
    const int joint_count = panel.topology->num_joints();
    const float* joints = panel.dataset->clip_data(static_cast<std::size_t>(panel.clip));
    for (std::int64_t frame = 0; frame < panel.frames; ++frame) {
      const double root_x = joints[frame * joint_count * 3];
      panel.centre_x.push_back(std::clamp(root_x, min_x + half_view, max_x - half_view));
    }
  }
  return grid;
}

}  // namespace skelaug::visual
