#include "clip_frame.h"

#include <gdfonts.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace skelaug::visual {

ClipPalette allocate_clip_palette(gdImagePtr image) {
  ClipPalette palette{};
  palette.background = gdImageColorAllocate(image, 255, 255, 255);  // the first allocated colour fills the image
  palette.border = gdImageColorAllocate(image, 220, 220, 220);
  palette.caption = gdImageColorAllocate(image, 40, 40, 40);
  palette.centre = gdImageColorAllocate(image, 60, 60, 60);
  palette.left = gdImageColorAllocate(image, 31, 119, 180);   // blue
  palette.right = gdImageColorAllocate(image, 230, 110, 10);  // orange
  return palette;
}

namespace {

// libgd's bitmap fonts are single-byte: anything outside printable ASCII becomes '?', and a caption wider than its
// panel is cut with "..." rather than spilling into the next one.
std::string fit_caption(const std::string& caption, int panel_size, int glyph_width) {
  std::string text;
  for (const char c : caption) text += (c >= 0x20 && c < 0x7f) ? c : '?';
  const auto fits = static_cast<std::size_t>(std::max(panel_size / glyph_width - 1, 3));
  if (text.size() > fits) text = text.substr(0, fits - 3) + "...";
  return text;
}

}  // namespace

void draw_clip_frame(gdImagePtr image, const ClipPalette& palette, const ClipGrid& grid, std::int64_t frame) {
  gdFontPtr font = gdFontGetSmall();
  const int line_width = std::max(1, grid.panel_size / 80);
  const int joint_diameter = line_width + 2;
  for (const auto& panel : grid.panels) {
    gdImageSetThickness(image, 1);
    gdImageRectangle(image, panel.left, panel.top, panel.left + grid.panel_size - 1,
                     panel.top + grid.panel_size + grid.caption_height - 1, palette.border);
    gdImageSetThickness(image, line_width);
    for (std::size_t b = 0; b < panel.bones.size(); ++b) {
      const auto [child_x, child_y] = grid.project(panel, frame, panel.bones[b].first);
      const auto [parent_x, parent_y] = grid.project(panel, frame, panel.bones[b].second);
      const int colour = panel.bone_sides[b] == BodySide::kLeft    ? palette.left
                         : panel.bone_sides[b] == BodySide::kRight ? palette.right
                                                                   : palette.centre;
      gdImageLine(image, static_cast<int>(std::lround(child_x)), static_cast<int>(std::lround(child_y)),
                  static_cast<int>(std::lround(parent_x)), static_cast<int>(std::lround(parent_y)), colour);
    }
    gdImageSetThickness(image, 1);
    for (int joint = 0; joint < panel.topology->num_joints(); ++joint) {
      const auto [x, y] = grid.project(panel, frame, joint);
      gdImageFilledEllipse(image, static_cast<int>(std::lround(x)), static_cast<int>(std::lround(y)), joint_diameter,
                           joint_diameter, palette.centre);
    }
    auto caption = fit_caption(panel.caption, grid.panel_size, font->w);
    const int caption_x = panel.left + (grid.panel_size - static_cast<int>(caption.size()) * font->w) / 2;
    const int caption_y = panel.top + grid.panel_size + (grid.caption_height - font->h) / 2;
    gdImageString(image, font, caption_x, caption_y, reinterpret_cast<unsigned char*>(caption.data()),
                  palette.caption);
  }
}

}  // namespace skelaug::visual
