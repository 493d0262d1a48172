#include "clip_gif.h"

#include <fmt/format.h>
#include <gdfonts.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "gd_handles.h"

namespace skelaug::visual {
namespace {

// GIF delays are whole hundredths of a second, and viewers stretch delays under 2/100 s to about 10/100 s, so above
// this rate frames are dropped instead.
constexpr double kFastestGifFps = 50;

// The colours of every frame, allocated in the same order on each so all frames share the global colour table.
struct Palette {
  int background, border, caption, centre, left, right;
};

Palette allocate_palette(gdImagePtr image) {
  Palette palette{};
  palette.background = gdImageColorAllocate(image, 255, 255, 255);  // the first allocated colour fills the image
  palette.border = gdImageColorAllocate(image, 220, 220, 220);
  palette.caption = gdImageColorAllocate(image, 40, 40, 40);
  palette.centre = gdImageColorAllocate(image, 60, 60, 60);
  palette.left = gdImageColorAllocate(image, 31, 119, 180);   // blue
  palette.right = gdImageColorAllocate(image, 230, 110, 10);  // orange
  return palette;
}

GdImage new_frame(const ClipGrid& grid) {
  GdImage image(gdImageCreate(grid.width, grid.height));
  if (!image) throw std::runtime_error(fmt::format("libgd cannot create a {}x{} image", grid.width, grid.height));
  return image;
}

// libgd's bitmap fonts are single-byte: anything outside printable ASCII becomes '?', and a caption wider than its
// panel is cut with "..." rather than spilling into the next one.
std::string fit_caption(const std::string& caption, int panel_size, int glyph_width) {
  std::string text;
  for (const char c : caption) text += (c >= 0x20 && c < 0x7f) ? c : '?';
  const auto fits = static_cast<std::size_t>(std::max(panel_size / glyph_width - 1, 3));
  if (text.size() > fits) text = text.substr(0, fits - 3) + "...";
  return text;
}

void draw_frame(gdImagePtr image, const Palette& palette, const ClipGrid& grid, std::int64_t frame) {
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

bool same_pixels(gdImagePtr a, gdImagePtr b) {
  for (int y = 0; y < gdImageSY(a); ++y) {
    for (int x = 0; x < gdImageSX(a); ++x) {
      if (gdImageGetPixel(a, x, y) != gdImageGetPixel(b, x, y)) return false;
    }
  }
  return true;
}

// Appends what a libgd *Ptr encoder returned (its bytes and their count).
void append(std::string& bytes, void* encoded, int size, const std::string& what) {
  const GdMemory memory(encoded);
  if (!memory || size < 0) throw std::runtime_error(fmt::format("libgd failed to encode the GIF's {}", what));
  bytes.append(static_cast<const char*>(memory.get()), static_cast<std::size_t>(size));
}

}  // namespace

std::string encode_clip_gif(const ClipGrid& grid) {
  const auto stride = static_cast<std::int64_t>(std::max(1.0, std::ceil(grid.fps / kFastestGifFps - 1e-9)));
  std::string bytes;
  int size = 0;
  GdImage previous;
  for (std::int64_t index = 0, frame = 0; frame < grid.frames; ++index, frame += stride) {
    auto image = new_frame(grid);
    const auto palette = allocate_palette(image.get());
    draw_frame(image.get(), palette, grid, frame);
    if (index == 0) {
      // The first frame's palette is the global colour table; 0 loops = forever (the NETSCAPE2.0 extension).
      void* header = gdImageGifAnimBeginPtr(image.get(), &size, 1, 0);
      append(bytes, header, size, "header");
    }
    // Each frame's delay rounds the running time, not the frame's own duration, so 30 fps plays at 30, not 33.
    const auto delay = std::lround(100.0 * static_cast<double>((index + 1) * stride) / grid.fps) -
                       std::lround(100.0 * static_cast<double>(index * stride) / grid.fps);
    // With the previous frame given, libgd stores only the rectangle that changed; but libgd 2.3 fails on a frame
    // with no change at all (a still pose, every clip holding its last frame), which is then stored whole.
    const bool changed = previous && !same_pixels(previous.get(), image.get());
    void* encoded = gdImageGifAnimAddPtr(image.get(), &size, 0, 0, 0, static_cast<int>(std::max(2L, delay)),
                                         gdDisposalNone, changed ? previous.get() : nullptr);
    append(bytes, encoded, size, fmt::format("frame {}", frame));
    previous = std::move(image);
  }
  void* trailer = gdImageGifAnimEndPtr(&size);
  append(bytes, trailer, size, "trailer");
  return bytes;
}

}  // namespace skelaug::visual
