#pragma once

#include <string>

#include "clip_grid.h"

namespace skelaug::visual {

// The grid as one self-contained HTML page: the panels' joints (metres, rounded to millimetres) and the grid's
// geometry as JSON, drawn frame by frame on a <canvas> by a small script; no network needed.
std::string clip_grid_html(const ClipGrid& grid);

}  // namespace skelaug::visual
