#include "skelaug/visual/line_plot.h"

#include <fmt/format.h>
#include <plplot.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "plot_stream.h"
#include "skelaug/core/atomic_file.h"
#include "skelaug/core/file_writer.h"
#include "skelaug/visual/pictures.h"
#include "writable_target.h"

namespace skelaug::visual {
namespace {

constexpr std::size_t kMostPointsWithMarkers = 60;  // beyond this, markers hide the line

struct Range {
  double low = std::numeric_limits<double>::infinity();
  double high = -std::numeric_limits<double>::infinity();
  void add(double value) {
    low = std::min(low, value);
    high = std::max(high, value);
  }
  // A little room around the data; a single value gets a range around it.
  Range padded(double fraction) const {
    const double span = high - low;
    const double pad = span > 0 ? span * fraction : std::max(std::abs(low) * 0.1, 1.0);
    return {low - pad, high + pad};
  }
};

bool finite_point(const Series& series, std::size_t i) {
  return std::isfinite(series.x[i]) && std::isfinite(series.y[i]) &&
         (series.error.empty() || std::isfinite(series.error[i]));
}

void validate(const LinePlot& plot) {
  if (plot.series.empty()) throw std::invalid_argument(fmt::format("line plot '{}': no series", plot.title));
  if (plot.width < 100 || plot.height < 100) {
    throw std::invalid_argument(
        fmt::format("line plot '{}': {}x{} pixels is too small (100x100 at least)", plot.title, plot.width, plot.height));
  }
  for (const auto& series : plot.series) {
    if (series.x.size() != series.y.size() || (!series.error.empty() && series.error.size() != series.x.size())) {
      throw std::invalid_argument(fmt::format("line plot '{}': series '{}' has {} x, {} y and {} error values",
                                              plot.title, series.label, series.x.size(), series.y.size(),
                                              series.error.size()));
    }
    std::size_t finite = 0;
    for (std::size_t i = 0; i < series.x.size(); ++i) {
      if (!finite_point(series, i)) continue;
      ++finite;
      if (plot.log_x && series.x[i] <= 0) {
        throw std::invalid_argument(fmt::format("line plot '{}': series '{}' has x = {} on a logarithmic axis",
                                                plot.title, series.label, series.x[i]));
      }
    }
    if (finite == 0) {
      throw std::invalid_argument(
          fmt::format("line plot '{}': series '{}' has no point with finite values", plot.title, series.label));
    }
  }
}

// '#' starts PLplot's text escapes (#u superscript, #(nnn) glyphs); a literal one is written twice.
std::string plot_text(const std::string& text) {
  std::string escaped;
  for (const char c : text) {
    escaped += c;
    if (c == '#') escaped += '#';
  }
  return escaped;
}

double plotted_x(const LinePlot& plot, double x) { return plot.log_x ? std::log10(x) : x; }

struct Frame {
  Range x, y;
};

Frame data_frame(const LinePlot& plot) {
  Frame frame;
  for (const auto& series : plot.series) {
    for (std::size_t i = 0; i < series.x.size(); ++i) {
      if (!finite_point(series, i)) continue;
      const double error = series.error.empty() ? 0 : std::abs(series.error[i]);
      frame.x.add(plotted_x(plot, series.x[i]));
      frame.y.add(series.y[i] - error);
      frame.y.add(series.y[i] + error);
    }
  }
  // Room around the data so markers and error bars at the ends are not cut by the axes.
  frame.x = frame.x.padded(0.02);
  frame.y = frame.y.padded(0.05);
  return frame;
}

// The corner of the viewport (as a PL_POSITION_* pair) where the legend covers the fewest data points: the legend
// sits inside the axes, where it is read together with the lines, without hiding them where it can be helped.
PLINT legend_corner(const LinePlot& plot, const Frame& frame) {
  std::size_t longest_label = 0;
  for (const auto& series : plot.series) longest_label = std::max(longest_label, series.label.size());
  // The legend's size as a fraction of the axes, estimated from PLplot's default character size on this page.
  const double legend_width = std::min(0.9, 0.12 + 0.015 * static_cast<double>(longest_label) * 800.0 / plot.width);
  const double legend_height = std::min(0.9, 0.02 + 0.055 * static_cast<double>(plot.series.size()) * 600.0 / plot.height);
  const std::array<PLINT, 4> corners{PL_POSITION_TOP | PL_POSITION_RIGHT, PL_POSITION_TOP | PL_POSITION_LEFT,
                                     PL_POSITION_BOTTOM | PL_POSITION_RIGHT, PL_POSITION_BOTTOM | PL_POSITION_LEFT};
  std::array<std::size_t, 4> covered{};
  for (const auto& series : plot.series) {
    for (std::size_t i = 0; i < series.x.size(); ++i) {
      if (!finite_point(series, i)) continue;
      const double u = (plotted_x(plot, series.x[i]) - frame.x.low) / (frame.x.high - frame.x.low);
      const double v = (series.y[i] - frame.y.low) / (frame.y.high - frame.y.low);
      const bool right = u > 1 - legend_width, left = u < legend_width;
      const bool top = v > 1 - legend_height, bottom = v < legend_height;
      covered[0] += top && right;
      covered[1] += top && left;
      covered[2] += bottom && right;
      covered[3] += bottom && left;
    }
  }
  const auto best = std::min_element(covered.begin(), covered.end()) - covered.begin();  // first of equals: top right
  return corners[static_cast<std::size_t>(best)];
}

void draw_series(const LinePlot& plot, const Series& series, PLINT colour) {
  plcol0(colour);
  const bool markers = series.x.size() <= kMostPointsWithMarkers;
  // Non-finite points (a skipped step's loss) break the line instead of being joined over.
  std::vector<PLFLT> xs, ys;
  auto flush = [&] {
    if (xs.size() > 1) {
      plwidth(2.0);
      plline(static_cast<PLINT>(xs.size()), xs.data(), ys.data());
    }
    if (markers || xs.size() == 1) {
      plwidth(1.0);
      plstring(static_cast<PLINT>(xs.size()), xs.data(), ys.data(), "#(840)");
    }
    xs.clear();
    ys.clear();
  };
  for (std::size_t i = 0; i < series.x.size(); ++i) {
    if (!finite_point(series, i)) {
      flush();
      continue;
    }
    xs.push_back(plotted_x(plot, series.x[i]));
    ys.push_back(series.y[i]);
  }
  flush();

  if (series.error.empty()) return;
  std::vector<PLFLT> bar_x, bar_low, bar_high;
  for (std::size_t i = 0; i < series.x.size(); ++i) {
    if (!finite_point(series, i)) continue;
    bar_x.push_back(plotted_x(plot, series.x[i]));
    bar_low.push_back(series.y[i] - std::abs(series.error[i]));
    bar_high.push_back(series.y[i] + std::abs(series.error[i]));
  }
  plwidth(1.5);
  plerry(static_cast<PLINT>(bar_x.size()), bar_x.data(), bar_low.data(), bar_high.data());
}

void draw_legend(const LinePlot& plot, const Frame& frame) {
  const auto count = plot.series.size();
  std::vector<std::string> labels;
  std::vector<const char*> texts, symbols;
  std::vector<PLINT> options, colours, line_styles, symbol_numbers, unused(count, 0);
  std::vector<PLFLT> line_widths, symbol_scales, unused_scales(count, 0);
  for (std::size_t i = 0; i < count; ++i) {
    const auto& series = plot.series[i];
    labels.push_back(plot_text(series.label));
    const bool markers = series.x.size() <= kMostPointsWithMarkers;
    options.push_back(PL_LEGEND_LINE | (markers ? PL_LEGEND_SYMBOL : 0));
    colours.push_back(kPlotFirstSeries + static_cast<PLINT>(i % kPlotSeriesColours));
    line_styles.push_back(1);
    line_widths.push_back(2.0);
    symbol_numbers.push_back(1);
    symbol_scales.push_back(1.0);
    symbols.push_back("#(840)");
  }
  for (const auto& label : labels) texts.push_back(label.c_str());
  PLFLT width = 0, height = 0;
  pllegend(&width, &height, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
           PL_POSITION_INSIDE | PL_POSITION_VIEWPORT | legend_corner(plot, frame), 0.02, 0.03, 0.08,
           kPlotBackground, kPlotForeground, 1, 0, 0, static_cast<PLINT>(count), options.data(), 1.0, 0.9, 2.0, 0.0,
           colours.data(), texts.data(), unused.data(), unused.data(), unused_scales.data(), unused_scales.data(),
           colours.data(), line_styles.data(), line_widths.data(), colours.data(), symbol_scales.data(),
           symbol_numbers.data(), symbols.data());
}

// Log axes label their decades as plain numbers (0.1, 1, 10, 100) rather than PLplot's 10^-1, 10^0, ...
void plain_decade_label(PLINT, PLFLT exponent, char* label, PLINT length, PLPointer) {
  std::snprintf(label, static_cast<std::size_t>(length), "%g", std::pow(10.0, exponent));
}

// The power of ten the y values are shown in when they are very small or very large (a learning rate of 3e-4):
// PLplot would otherwise write its own "(x10^-4)" at the page's top left, where it is cut off.
int y_exponent(const LinePlot& plot) {
  double largest = 0;
  for (const auto& series : plot.series) {
    for (std::size_t i = 0; i < series.y.size(); ++i) {
      if (finite_point(series, i)) {
        largest = std::max(largest, std::abs(series.y[i]) + (series.error.empty() ? 0 : std::abs(series.error[i])));
      }
    }
  }
  largest *= 1.1;  // the axis's extent, padding included: a peak just under 1e-3 reads as 1 x 10^-3, not 10 x 10^-4
  if (largest == 0 || (largest >= 1e-2 && largest < 1e5)) return 0;
  return static_cast<int>(std::floor(std::log10(largest)));
}

// "×10⁻³": Unicode superscripts, which the cairo drivers draw inside the label's own line (PLplot's #u raises the
// text out of a rotated label's room, where it is cut off).
std::string power_of_ten(int exponent) {
  static const char* const kSuperscriptDigits[] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
  std::string text = "×10";
  if (exponent < 0) text += "⁻";
  for (const char digit : std::to_string(std::abs(exponent))) text += kSuperscriptDigits[digit - '0'];
  return text;
}

LinePlot scaled_y(const LinePlot& plot, int exponent) {
  auto scaled = plot;
  const double factor = std::pow(10.0, -exponent);
  for (auto& series : scaled.series) {
    for (auto& y : series.y) y *= factor;
    for (auto& error : series.error) error *= factor;
  }
  return scaled;
}

void draw(const LinePlot& original) {
  const int exponent = y_exponent(original);
  const auto plot = scaled_y(original, exponent);
  const auto frame = data_frame(plot);
  pladv(0);
  plschr(0, 1.1);
  plvpor(0.11, 0.96, 0.12, 0.91);
  plwind(frame.x.low, frame.x.high, frame.y.low, frame.y.high);
  const std::string x_axis = plot.log_x ? "bcnstlo" : "bcnst";  // o: labels from plain_decade_label
  // The grid first, light and under everything.
  plcol0(kPlotGrid);
  plwidth(1.0);
  plbox(plot.log_x ? "gl" : "g", 0, 0, "g", 0, 0);
  for (std::size_t i = 0; i < plot.series.size(); ++i) {
    draw_series(plot, plot.series[i], kPlotFirstSeries + static_cast<PLINT>(i % kPlotSeriesColours));
  }
  plcol0(kPlotForeground);
  plwidth(1.0);
  plslabelfunc(plain_decade_label, nullptr);
  plbox(x_axis.c_str(), 0, 0, "bcnstv", 0, 0);
  plslabelfunc(nullptr, nullptr);
  const auto y_label = plot_text(plot.y_label) + (exponent != 0 ? fmt::format(" ({})", power_of_ten(exponent)) : "");
  pllab(plot_text(plot.x_label).c_str(), y_label.c_str(), plot_text(plot.title).c_str());
  draw_legend(plot, frame);
}

std::string xml_escaped(const std::string& text) {
  std::string escaped;
  for (const char c : text) {
    switch (c) {
      case '&': escaped += "&amp;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      case '"': escaped += "&quot;"; break;
      default: escaped += c;
    }
  }
  return escaped;
}

std::string read_whole(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  if (!in) throw std::runtime_error(fmt::format("{}: cannot read back the plot", file.string()));
  return content.str();
}

// Cairo draws text as glyph outlines, so an SVG would not hold its own title as text; its <title> element gives the
// picture a name that viewers, screen readers and searches see.
void add_svg_title(const std::filesystem::path& svg, const std::string& title) {
  auto content = read_whole(svg);
  const auto root = content.find("<svg");
  const auto root_end = root == std::string::npos ? root : content.find('>', root);
  if (root_end == std::string::npos) {
    throw std::runtime_error(fmt::format("{}: PLplot's SVG has no <svg> element", svg.string()));
  }
  content.insert(root_end + 1, fmt::format("\n<title>{}</title>", xml_escaped(title)));
  core::FileWriter writer(svg);
  writer.write(content.data(), content.size());
  writer.finish();
}

void write_one(const LinePlot& plot, const std::filesystem::path& target, const char* device) {
  core::AtomicFile file(target);
  {
    PlotStream stream(device, file.temp_path(), plot.width, plot.height);
    draw(plot);
    stream.finish();
  }
  // The cairo drivers do not report failed writes: an empty file is the sign of one.
  std::error_code error;
  if (std::filesystem::file_size(file.temp_path(), error) == 0 || error) {
    throw std::runtime_error(fmt::format("{}: PLplot wrote nothing", target.string()));
  }
  if (target.extension() == ".svg") add_svg_title(file.temp_path(), plot.title);
  file.commit();
}

}  // namespace

bool can_draw_pictures() { return true; }

void write_line_plot(const LinePlot& plot, const std::filesystem::path& stem) {
  validate(plot);
  auto png = stem;
  png += ".png";
  auto svg = stem;
  svg += ".svg";
  require_writable_target(png);
  // PLplot keeps global state (the current stream, the abort handler): one plot at a time in a process.
  static std::mutex plotting;
  const std::lock_guard<std::mutex> lock(plotting);
  write_one(plot, png, "pngcairo");
  write_one(plot, svg, "svgcairo");
}

}  // namespace skelaug::visual
