#include "skelaug/visual/line_plot.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "scratch_directory_test.h"
#include "skelaug/core/error.h"
#include "stick_clips.h"

namespace skelaug::visual {
namespace {

using testing::read_bytes;

class LinePlotTest : public testing::ScratchDirectoryTest {};

std::uint32_t big_endian(const std::string& bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i) value = value << 8 | static_cast<unsigned char>(bytes.at(at + i));
  return value;
}

LinePlot two_series() {
  LinePlot plot;
  plot.title = "held-out accuracy & friends";
  plot.x_label = "real clips per class";
  plot.y_label = "top-1 (%)";
  plot.log_x = true;
  plot.series.push_back({"real only", {1, 5, 10, 50, 100}, {20, 41, 55, 71, 80}, {4, 3.5, 2, 1.5, 1}});
  plot.series.push_back({"real + generated", {1, 5, 10, 50, 100}, {31, 50, 61, 73, 81}, {3, 3, 2, 1, 1}});
  return plot;
}

TEST_F(LinePlotTest, WritesPngOfTheAskedSizeAndSvgWithTheTitle) {
  auto plot = two_series();
  plot.width = 640;
  plot.height = 480;
  write_line_plot(plot, directory_ / "accuracy");

  const auto png = read_bytes(directory_ / "accuracy.png");
  ASSERT_GT(png.size(), 24u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(png.substr(12, 4), "IHDR");
  EXPECT_EQ(big_endian(png, 16), 640u);
  EXPECT_EQ(big_endian(png, 20), 480u);

  const auto svg = read_bytes(directory_ / "accuracy.svg");
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("<title>held-out accuracy &amp; friends</title>"), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);

  // Nothing else is left in the directory: no temporaries.
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(directory_)) ++files;
  EXPECT_EQ(files, 2u);
}

TEST_F(LinePlotTest, RepeatedPlotsInOneProcessEachComeOut) {
  // PLplot keeps per-process state: every plot gets a stream of its own, ended before the next.
  for (int i = 0; i < 4; ++i) {
    LinePlot plot;
    plot.title = "loss " + std::to_string(i);
    plot.x_label = "step";
    plot.y_label = "loss";
    Series series{"loss", {}, {}, {}};
    for (int step = 1; step <= 200; ++step) {
      series.x.push_back(step);
      series.y.push_back(1.0 / step + (step == 50 ? NAN : 0.01 * i));  // a gap at step 50
    }
    plot.series.push_back(series);
    write_line_plot(plot, directory_ / ("loss" + std::to_string(i)));
    const auto png = read_bytes(directory_ / ("loss" + std::to_string(i) + ".png"));
    EXPECT_EQ(big_endian(png, 16), 800u);
    EXPECT_EQ(big_endian(png, 20), 600u);
    EXPECT_NE(read_bytes(directory_ / ("loss" + std::to_string(i) + ".svg")).find("<title>loss " + std::to_string(i)),
              std::string::npos);
  }
}

TEST_F(LinePlotTest, RefusesBadSeries) {
  auto plot = two_series();
  plot.series[1].y.pop_back();
  EXPECT_THROW(write_line_plot(plot, directory_ / "unequal"), std::invalid_argument);
  plot = two_series();
  plot.series[0].error = {1, 2};
  EXPECT_THROW(write_line_plot(plot, directory_ / "errors"), std::invalid_argument);
  plot = two_series();
  plot.series[0].x[0] = 0;  // on a log axis
  EXPECT_THROW(write_line_plot(plot, directory_ / "log"), std::invalid_argument);
  plot = two_series();
  plot.series.clear();
  EXPECT_THROW(write_line_plot(plot, directory_ / "empty"), std::invalid_argument);
  plot = two_series();
  plot.series[0].y.assign(5, NAN);
  EXPECT_THROW(write_line_plot(plot, directory_ / "nan"), std::invalid_argument);
  EXPECT_TRUE(std::filesystem::is_empty(directory_));
}

TEST_F(LinePlotTest, AnUnwritableTargetIsAUserErrorNamingTheFile) {
  std::ofstream(directory_ / "plain") << "a file, not a folder";
  const auto stem = directory_ / "plain" / "plot";
  try {
    write_line_plot(two_series(), stem);
    FAIL() << "no error";
  } catch (const core::UserError& error) {
    EXPECT_NE(std::string(error.what()).find((directory_ / "plain" / "plot.png").string()), std::string::npos)
        << error.what();
  }
}

TEST_F(LinePlotTest, AMissingFolderIsMade) {
  write_line_plot(two_series(), directory_ / "new" / "plot");
  EXPECT_TRUE(std::filesystem::exists(directory_ / "new" / "plot.png"));
  EXPECT_TRUE(std::filesystem::exists(directory_ / "new" / "plot.svg"));
}

}  // namespace
}  // namespace skelaug::visual
