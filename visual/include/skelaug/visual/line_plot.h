#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace skelaug::visual {

// One line of a LinePlot.
struct Series {
  std::string label;            // legend entry
  std::vector<double> x, y;
  std::vector<double> error;    // half-width of an interval per point (drawn as error bars); empty = none
};

// A line plot of one or more series on common axes.
struct LinePlot {
  std::string title, x_label, y_label;
  bool log_x = false;           // a base-10 x axis; every x must then be > 0
  std::vector<Series> series;
  int width = 800;              // the PNG's size in pixels (the SVG's in points)
  int height = 600;
};

// Draws the plot (where can_draw_pictures(); a core::UserError otherwise) through PLplot's cairo drivers as <stem>.png and <stem>.svg (each written to a temporary name and
// renamed, so nothing half-written is left); the SVG carries the title as its <title> element, since cairo draws text
// as glyph outlines. Points whose x or y is not finite are left out (a gap, not a zero). A core::UserError naming the
// file when it cannot be written; std::invalid_argument for series of unequal lengths, no series, a series without a
// finite point, a width or height under 100, or x <= 0 on a log axis.
void write_line_plot(const LinePlot& plot, const std::filesystem::path& stem);

}  // namespace skelaug::visual
