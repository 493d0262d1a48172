// The HTML page of render_clips as a browser shows it: a headless Chromium loads the page, runs its script and takes
// a screenshot, and the bone must be where the GIF draws it. Skipped, saying so, where no browser is installed
// (tools/install-deps.sh installs Debian's chromium, so CI runs it).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "scratch_directory_test.h"
#include "skelaug/visual/clip_render.h"
#include "stick_clips.h"

namespace skelaug::visual {
namespace {

using testing::read_bytes;
using testing::stick_dataset;

class ClipHtmlBrowserTest : public testing::ScratchDirectoryTest {};

// The browser to run: $SKELAUG_TEST_BROWSER, else the first Chromium on PATH; empty when there is none.
std::string find_browser() {
  if (const char* chosen = std::getenv("SKELAUG_TEST_BROWSER"); chosen != nullptr && *chosen != '\0') return chosen;
  const char* path = std::getenv("PATH");
  if (path == nullptr) return {};
  std::string folders = path;
  for (std::size_t start = 0; start <= folders.size();) {
    const auto end = std::min(folders.find(':', start), folders.size());
    const std::filesystem::path folder = folders.substr(start, end - start);
    for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
      if (::access((folder / name).c_str(), X_OK) == 0) return (folder / name).string();
    }
    start = end + 1;
  }
  return {};
}

TEST_F(ClipHtmlBrowserTest, ABrowserDrawsTheBoneWhereTheGifDrawsIt) {
  const auto browser = find_browser();
  if (browser.empty()) GTEST_SKIP() << "no headless browser (chromium) installed: the page is only checked as text";

  // The GIF test's bone: (12.8, 147.2) to (147.2, 12.8) pixels in a 160-pixel panel, dark grey (60) on white. The
  // page puts its canvas 16 pixels in from the top left (the body's margin).
  const auto dataset = stick_dataset({3}, {1.0f});
  render_clips({{&dataset, 0, "stick"}}, {}, directory_ / "stick.html");
  const auto screenshot = directory_ / "stick.png";
  // Root needs --no-sandbox; a profile of its own keeps the user's untouched; the log goes to a file.
  const std::string command = "timeout 120 '" + browser + "' --headless --no-sandbox --disable-gpu --hide-scrollbars " +
                              "--user-data-dir='" + (directory_ / "profile").string() +
                              "' --window-size=400,400 --screenshot='" + screenshot.string() + "' 'file://" +
                              (directory_ / "stick.html").string() + "' > '" + (directory_ / "browser.log").string() +
                              "' 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << command << "\n" << read_bytes(directory_ / "browser.log");
  const auto png = read_bytes(screenshot);
  testing::GdImage image(gdImageCreateFromPngPtr(static_cast<int>(png.size()), const_cast<char*>(png.data())));
  ASSERT_TRUE(image) << "the screenshot is not a PNG";
  ASSERT_GE(gdImageSX(image.get()), 16 + 160);
  auto red = [&](int x, int y) { return gdImageRed(image.get(), gdImageGetPixel(image.get(), 16 + x, 16 + y)); };
  for (double t = 0.05; t < 1; t += 0.05) {
    const int x = static_cast<int>(std::lround(12.8 + t * 134.4));
    const int y = static_cast<int>(std::lround(147.2 - t * 134.4));
    EXPECT_LT(red(x, y), 128) << "no bone at " << x << "," << y;
  }
  for (const auto& [x, y] : std::vector<std::pair<int, int>>{{120, 140}, {30, 30}, {100, 130}, {50, 60}}) {
    EXPECT_GT(red(x, y), 240) << "not background at " << x << "," << y;
  }
}

}  // namespace
}  // namespace skelaug::visual
