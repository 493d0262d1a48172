#include "plot_stream.h"

#include <fmt/format.h>
#include <plplot.h>

#include <array>
#include <stdexcept>
#include <string_view>

namespace skelaug::visual {
namespace {

// The first message PLplot's plabort() gave since the stream opened; PLplot keeps one abort handler per process.
std::string& abort_message() {
  static std::string message;
  return message;
}

void record_abort(PLCHAR_VECTOR message) {
  if (abort_message().empty()) abort_message() = message != nullptr ? message : "unknown PLplot error";
}

void throw_if_aborted(const std::string& context) {
  if (!abort_message().empty()) throw std::runtime_error(fmt::format("{}: PLplot: {}", context, abort_message()));
}

// White page, near-black text, a light grid, then ten distinguishable series colours (the common "category 10"
// palette of plotting libraries, which stays readable for the usual colour-vision deficiencies).
void set_colour_map() {
  constexpr std::array<std::array<PLINT, 3>, kPlotFirstSeries + kPlotSeriesColours> kColours{{{255, 255, 255},
                                                                                              {30, 30, 30},
                                                                                              {215, 215, 215},
                                                                                              {31, 119, 180},
                                                                                              {255, 127, 14},
                                                                                              {44, 160, 44},
                                                                                              {214, 39, 40},
                                                                                              {148, 103, 189},
                                                                                              {140, 86, 75},
                                                                                              {227, 119, 194},
                                                                                              {127, 127, 127},
                                                                                              {188, 189, 34},
                                                                                              {23, 190, 207}}};
  std::array<PLINT, kColours.size()> red{}, green{}, blue{};
  for (std::size_t i = 0; i < kColours.size(); ++i) {
    red[i] = kColours[i][0];
    green[i] = kColours[i][1];
    blue[i] = kColours[i][2];
  }
  plscmap0(red.data(), green.data(), blue.data(), static_cast<PLINT>(kColours.size()));
}

// Without the device, plinit() would ask on stdin for another one and then exit the process.
void require_device(const char* device) {
  constexpr int kMostDevices = 128;
  std::array<PLCHAR_VECTOR, kMostDevices> menu{}, names{};
  int count = kMostDevices;
  PLCHAR_VECTOR* menu_out = menu.data();
  PLCHAR_VECTOR* names_out = names.data();
  plgDevs(&menu_out, &names_out, &count);
  for (int i = 0; i < count; ++i) {
    if (names_out[i] != nullptr && std::string_view(names_out[i]) == device) return;
  }
  throw std::runtime_error(
      fmt::format("PLplot has no '{}' device: install its cairo driver (Debian: plplot-driver-cairo)", device));
}

}  // namespace

PlotStream::PlotStream(const char* device, const std::filesystem::path& file, int width, int height) {
  require_device(device);
  abort_message().clear();
  plmkstrm(&id_);  // also makes the new stream the current one
  if (id_ < 0) throw std::runtime_error(fmt::format("{}: PLplot has no free stream", file.string()));
  plsabort(record_abort);
  plsdev(device);
  plsfnam(file.c_str());
  plspage(0, 0, width, height, 0, 0);
  set_colour_map();
  plinit();
  if (!abort_message().empty()) {
    end();  // the destructor does not run for a constructor that throws
    throw_if_aborted(file.string());
  }
}

PlotStream::~PlotStream() {
  if (!ended_) end();
}

void PlotStream::finish() {
  end();
  throw_if_aborted("finishing the plot");
}

void PlotStream::end() {
  plsstrm(id_);
  plend1();
  plsabort(nullptr);  // PLplot's own handler again for anyone else's streams
  ended_ = true;
}

}  // namespace skelaug::visual
