#pragma once

namespace skelaug::visual {

// Whether this build draws pictures: line plots (write_line_plot, write_training_plots) and GIF and MP4 clips
// (render_clips), which need PLplot and libgd (configured with SKELAUG_WITH_PICTURES). Without them those refuse with
// core::UserError saying so, and render_clips still writes HTML.
bool can_draw_pictures();

}  // namespace skelaug::visual
