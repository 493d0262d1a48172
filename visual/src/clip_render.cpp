#include "skelaug/visual/clip_render.h"

#include <fmt/format.h>

#include "clip_gif.h"
#include "clip_grid.h"
#include "clip_html.h"
#include "skelaug/core/atomic_file.h"
#include "skelaug/core/error.h"
#include "writable_target.h"

namespace skelaug::visual {

void render_clips(const std::vector<ClipPanel>& panels, const RenderOptions& options,
                  const std::filesystem::path& output) {
  const auto extension = output.extension().string();
  if (extension != ".gif" && extension != ".html") {
    throw core::UserError(
        fmt::format("{}: cannot render clips as '{}': the output must end in .gif or .html", output.string(), extension));
  }
  require_writable_target(output);  // before the work of drawing every frame
  const auto grid = make_clip_grid(panels, options);
  const auto bytes = extension == ".gif" ? encode_clip_gif(grid) : clip_grid_html(grid);
  core::write_file_atomically(output, bytes);
}

}  // namespace skelaug::visual
