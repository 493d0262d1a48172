#pragma once

#include <filesystem>
#include <string>

namespace skelaug::visual {

// Owns one PLplot stream (plmkstrm ... plend1) drawing into one file, so plots made one after another in a process
// never share state. Not thread-safe (PLplot is not): callers serialise.
class PlotStream {
 public:
  // Opens a stream on `device` ("pngcairo", "svgcairo") writing `file`, `width` x `height` pixels, with skelaug's
  // colour map 0 (see line_plot.cpp), and plinit()s it. Throws std::runtime_error if PLplot reports an error.
  PlotStream(const char* device, const std::filesystem::path& file, int width, int height);
  ~PlotStream();
  PlotStream(const PlotStream&) = delete;
  PlotStream& operator=(const PlotStream&) = delete;

  // Ends the stream, which writes the file out; throws std::runtime_error with PLplot's message if any drawing call
  // was refused (PLplot otherwise only prints "*** PLPLOT ERROR, ABORTING OPERATION ***" and carries on).
  void finish();

 private:
  void end();

  int id_ = -1;
  bool ended_ = false;
};

// cmap0 indices of the stream's colours.
inline constexpr int kPlotBackground = 0;
inline constexpr int kPlotForeground = 1;  // axes, labels, text
inline constexpr int kPlotGrid = 2;
inline constexpr int kPlotFirstSeries = 3;  // then one colour per series, cycling
inline constexpr int kPlotSeriesColours = 10;

}  // namespace skelaug::visual
