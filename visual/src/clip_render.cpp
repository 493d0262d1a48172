#include "skelaug/visual/clip_render.h"

#include <fmt/format.h>

#include "clip_gif.h"
#include "clip_grid.h"
#include "clip_html.h"
#include "clip_mp4.h"
#include "skelaug/core/atomic_file.h"
#include "skelaug/core/error.h"
#include "skelaug/visual/pictures.h"
#include "writable_target.h"

namespace skelaug::visual {

void render_clips(const std::vector<ClipPanel>& panels, const RenderOptions& options,
                  const std::filesystem::path& output) {
  const auto extension = output.extension().string();
  if (extension != ".gif" && extension != ".mp4" && extension != ".html") {
    throw core::UserError(fmt::format("{}: cannot render clips as '{}': the output must end in .gif, .mp4 or .html",
                                      output.string(), extension));
  }
  if (extension != ".html" && !can_draw_pictures()) {
    throw core::UserError(fmt::format("{}: this skelaug was built without pictures (SKELAUG_WITH_PICTURES=OFF, or "
                                      "PLplot and libgd were not found): write .html",
                                      output.string()));
  }
  if (extension == ".mp4" && !can_render_mp4()) {
    throw core::UserError(fmt::format(
        "{}: this skelaug was built without video (SKELAUG_WITH_VIDEO=OFF, or FFmpeg's libavcodec, libavformat and "
        "libswscale were not found): write .gif or .html",
        output.string()));
  }
  require_writable_target(output);  // before the work of drawing every frame
  const auto grid = make_clip_grid(panels, options);
  const auto bytes = extension == ".gif"   ? encode_clip_gif(grid)
                     : extension == ".mp4" ? encode_clip_mp4(grid)
                                           : clip_grid_html(grid);
  core::write_file_atomically(output, bytes);
}

}  // namespace skelaug::visual
