#pragma once

#include <string>

#include "clip_grid.h"

namespace skelaug::visual {

// The grid as an H.264 MP4 (the file's bytes): every frame at the grid's rate (no frames dropped, unlike GIF),
// yuv420p so every player opens it, the picture padded by a white pixel to even sides (4:2:0 needs them).
// std::runtime_error when FFmpeg has no H.264 encoder or fails, or when built
// without video (render_clips checks can_render_mp4() first).
std::string encode_clip_mp4(const ClipGrid& grid);

}  // namespace skelaug::visual
