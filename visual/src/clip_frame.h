#pragma once

// One frame of a clip grid drawn with libgd: what the GIF and the MP4 writers both show, so the two agree.
#include <gd.h>

#include <cstdint>

#include "clip_grid.h"

namespace skelaug::visual {

// The colours of a frame. Allocated in the same order on every palette frame, so GIF frames share one colour table;
// on a truecolor image libgd returns the packed colours themselves.
struct ClipPalette {
  int background, border, caption, centre, left, right;
};

// Allocates the palette on `image`; the first colour allocated (white) fills a palette image.
ClipPalette allocate_clip_palette(gdImagePtr image);

// Draws `frame` of every panel of `grid` onto `image` (the grid's size or larger, already filled with the
// background): each panel's border, bones (left and right limbs in their own colours), joints and caption.
void draw_clip_frame(gdImagePtr image, const ClipPalette& palette, const ClipGrid& grid, std::int64_t frame);

}  // namespace skelaug::visual
