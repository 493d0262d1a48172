// A build without PLplot and libgd (SKELAUG_WITH_PICTURES=OFF or not found, e.g. on a GPU host that carries only the
// libraries training needs): everything that would draw refuses, naming what it could not write.
#include <fmt/format.h>

#include <stdexcept>

#include "clip_gif.h"
#include "clip_mp4.h"
#include "skelaug/core/error.h"
#include "skelaug/visual/clip_render.h"
#include "skelaug/visual/line_plot.h"
#include "skelaug/visual/pictures.h"

namespace skelaug::visual {

bool can_draw_pictures() { return false; }

bool can_render_mp4() { return false; }

void write_line_plot(const LinePlot&, const std::filesystem::path& stem) {
  throw core::UserError(fmt::format("{}.png: this skelaug was built without pictures (SKELAUG_WITH_PICTURES=OFF, or "
                                    "PLplot and libgd were not found): no plots",
                                    stem.string()));
}

// render_clips refuses .gif and .mp4 before it gets here.
std::string encode_clip_gif(const ClipGrid&) { throw std::logic_error("GIF: this skelaug was built without pictures"); }

std::string encode_clip_mp4(const ClipGrid&) { throw std::logic_error("MP4: this skelaug was built without pictures"); }

}  // namespace skelaug::visual
