#pragma once

#include <string>

#include "clip_grid.h"

namespace skelaug::visual {

// The grid as an animated, looping GIF (the file's bytes).
std::string encode_clip_gif(const ClipGrid& grid);

}  // namespace skelaug::visual
