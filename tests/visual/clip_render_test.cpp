#include "skelaug/visual/clip_render.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "scratch_directory_test.h"
#include "skelaug/core/error.h"
#include "stick_clips.h"

namespace skelaug::visual {
namespace {

using testing::parse_gif;
using testing::read_bytes;
using testing::stick_dataset;

class ClipRenderTest : public testing::ScratchDirectoryTest {};

// The pixels of `image` that are not the background (the first palette entry, white), inside a panel's drawing
// square with its one-pixel border left out.
std::vector<std::pair<int, int>> drawn_pixels(gdImagePtr image, int left, int top, int size) {
  std::vector<std::pair<int, int>> drawn;
  for (int y = top + 1; y < top + size - 1; ++y) {
    for (int x = left + 1; x < left + size - 1; ++x) {
      const int colour = gdImageGetPixel(image, x, y);
      if (gdImageRed(image, colour) != 255 || gdImageGreen(image, colour) != 255 || gdImageBlue(image, colour) != 255) {
        drawn.emplace_back(x, y);
      }
    }
  }
  return drawn;
}

testing::GdImage first_frame(const std::string& gif) {
  testing::GdImage image(gdImageCreateFromGifPtr(static_cast<int>(gif.size()), const_cast<char*>(gif.data())));
  if (!image) throw std::runtime_error("libgd cannot read the GIF back");
  return image;
}

TEST_F(ClipRenderTest, GifHasTheGridSizeOneImagePerFrameTheirDelaysAndLoops) {
  const auto dataset = stick_dataset({7, 4, 5}, {1.0f, 0.5f, 0.8f});
  const std::vector<ClipPanel> panels{{&dataset, 0, "long"}, {&dataset, 1, "short"}, {&dataset, 2, "middle"}};
  RenderOptions options;
  options.panel_size = 100;
  render_clips(panels, options, directory_ / "clips.gif");

  const auto bytes = read_bytes(directory_ / "clips.gif");
  ASSERT_EQ(bytes.compare(0, 6, "GIF89a"), 0);
  const auto gif = parse_gif(bytes);
  EXPECT_EQ(gif.width, 2 * 100);       // 3 panels: about square is 2 columns, 2 rows
  EXPECT_EQ(gif.height, 2 * (100 + 16));  // each panel with its caption strip
  EXPECT_EQ(gif.images, 7);            // the longest clip; shorter ones hold their last frame
  EXPECT_EQ(gif.delays, std::vector<int>(7, 10));  // 10 fps
  EXPECT_TRUE(gif.loops);
  EXPECT_TRUE(gif.trailer);
  EXPECT_FALSE(std::filesystem::exists(directory_ / ("clips.gif.tmp-" + std::to_string(::getpid()))));
}

TEST_F(ClipRenderTest, OptionsSetColumnsFramesAndRate) {
  const auto dataset = stick_dataset({10, 10, 10}, {1.0f, 1.0f, 1.0f});
  const std::vector<ClipPanel> panels{{&dataset, 0, "a"}, {&dataset, 1, "b"}, {&dataset, 2, "c"}};
  RenderOptions options;
  options.columns = 3;
  options.panel_size = 64;
  options.fps = 25;
  options.max_frames = 6;
  render_clips(panels, options, directory_ / "row.gif");
  auto gif = parse_gif(read_bytes(directory_ / "row.gif"));
  EXPECT_EQ(gif.width, 3 * 64);
  EXPECT_EQ(gif.height, 64 + 16);
  EXPECT_EQ(gif.images, 6);
  EXPECT_EQ(gif.delays, std::vector<int>(6, 4));

  // 100 fps is faster than GIF delays allow: every second frame, 2/100 s each, so it still plays in real time.
  options.max_frames = 0;
  options.fps = 100;
  render_clips(panels, options, directory_ / "fast.gif");
  gif = parse_gif(read_bytes(directory_ / "fast.gif"));
  EXPECT_EQ(gif.images, 5);
  EXPECT_EQ(gif.delays, std::vector<int>(5, 2));

  // 30 fps: delays of 3 and 4 hundredths that add up to the clip's true second.
  options.fps = 30;
  const auto thirty = stick_dataset({30}, {1.0f}, 30);
  render_clips({{&thirty, 0, "a"}}, options, directory_ / "thirty.gif");
  gif = parse_gif(read_bytes(directory_ / "thirty.gif"));
  ASSERT_EQ(gif.images, 30);
  int total = 0;
  for (const int delay : gif.delays) {
    EXPECT_TRUE(delay == 3 || delay == 4) << delay;
    total += delay;
  }
  EXPECT_EQ(total, 100);
}

TEST_F(ClipRenderTest, TheBoneIsDrawnAlongItsProjection) {
  // A bone from (0, 0) to (1, 1) metres in a 160-pixel panel: the clip's box is 1 m wide and high, drawn at
  // 160 x (1 - 2 x 0.08) = 134.4 px/m around the panel's centre, so the bone runs from (12.8, 147.2) to (147.2, 12.8)
  // in pixels (y down): the line x + y = 160.
  const auto dataset = stick_dataset({3}, {1.0f});
  render_clips({{&dataset, 0, "stick"}}, {}, directory_ / "stick.gif");
  const auto image = first_frame(read_bytes(directory_ / "stick.gif"));
  ASSERT_EQ(gdImageSX(image.get()), 160);
  ASSERT_EQ(gdImageSY(image.get()), 176);

  const auto drawn = drawn_pixels(image.get(), 0, 0, 160);
  ASSERT_GT(drawn.size(), 150u);  // a 190-pixel line, 2 pixels wide, and two joint dots
  for (const auto& [x, y] : drawn) {
    // Within the line's half-width plus the joint dots' radius of the segment.
    EXPECT_LE(std::abs(x + y - 160) / std::sqrt(2.0), 4.0) << x << "," << y;
    EXPECT_GE(x, 12 - 4);
    EXPECT_LE(x, 147 + 4);
  }
  for (double t = 0.05; t < 1; t += 0.05) {
    const int x = static_cast<int>(std::lround(12.8 + t * 134.4));
    const int y = static_cast<int>(std::lround(147.2 - t * 134.4));
    const int colour = gdImageGetPixel(image.get(), x, y);
    EXPECT_EQ(gdImageRed(image.get(), colour), 60) << "no bone pixel at " << x << "," << y;
  }
}

TEST_F(ClipRenderTest, EveryPanelIsDrawnAtOneScale) {
  // A 1 m bone and a 0.5 m bone: the second is half as long on screen, not stretched to fill its panel.
  const auto dataset = stick_dataset({2, 2}, {1.0f, 0.5f});
  RenderOptions options;
  options.columns = 2;
  render_clips({{&dataset, 0, "big"}, {&dataset, 1, "small"}}, options, directory_ / "scale.gif");
  const auto image = first_frame(read_bytes(directory_ / "scale.gif"));
  auto extent = [&](int left) {
    int low = 1 << 20, high = -1;
    for (const auto& [x, y] : drawn_pixels(image.get(), left, 0, 160)) {
      low = std::min(low, x);
      high = std::max(high, x);
    }
    return high - low;
  };
  const int big = extent(0), small = extent(160);
  EXPECT_NEAR(big, 134.4 + 5, 3);  // plus the joint dots
  EXPECT_NEAR(small, 67.2 + 5, 3);
}

TEST_F(ClipRenderTest, LeftAndRightLimbsHaveTheirOwnColours) {
  data::SkeletonDataset dataset;
  dataset.topology = testing::arms_topology();
  dataset.fps = 10;
  dataset.class_names = {"arms"};
  const std::vector<float> pose{0, 0, 0, 1, 0, 0, -1, 0, 0};  // the left hand at +x, the right at -x
  dataset.add_clip(pose.data(), 1, 0, {});
  render_clips({{&dataset, 0, "arms"}}, {}, directory_ / "arms.gif");
  const auto image = first_frame(read_bytes(directory_ / "arms.gif"));
  auto rgb = [&](int x, int y) {
    const int c = gdImageGetPixel(image.get(), x, y);
    return std::array<int, 3>{gdImageRed(image.get(), c), gdImageGreen(image.get(), c), gdImageBlue(image.get(), c)};
  };
  // The chest is the panel's centre (80, 80); 134.4 px/m puts the hands 67 px to either side.
  EXPECT_EQ(rgb(80 + 40, 80), (std::array<int, 3>{31, 119, 180}));  // left: blue
  EXPECT_EQ(rgb(80 - 40, 80), (std::array<int, 3>{230, 110, 10}));  // right: orange
}

TEST_F(ClipRenderTest, HtmlHoldsTheJointsAsJsonAndACanvas) {
  const auto dataset = stick_dataset({3, 2}, {1.0f, 0.5f});
  const std::vector<ClipPanel> panels{{&dataset, 0, "stick (real, clip 0)"}, {&dataset, 1, "a</script><b>"}};
  render_clips(panels, {}, directory_ / "clips.html");
  const auto html = read_bytes(directory_ / "clips.html");
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<canvas id=\"clips\" width=\"320\" height=\"176\""), std::string::npos);
  EXPECT_EQ(html.find("http"), std::string::npos);  // nothing fetched from the network
  EXPECT_EQ(html.find("a</script>"), std::string::npos);  // a caption cannot end the script early

  const std::string open = "<script type=\"application/json\" id=\"clip-data\">";
  const auto start = html.find(open);
  ASSERT_NE(start, std::string::npos);
  const auto end = html.find("</script>", start);
  const auto json = nlohmann::json::parse(html.substr(start + open.size(), end - start - open.size()));
  EXPECT_EQ(json["frames"], 3);
  EXPECT_EQ(json["fps"], 10.0);
  ASSERT_EQ(json["panels"].size(), 2u);
  EXPECT_EQ(json["panels"][1]["caption"], "a</script><b>");
  EXPECT_EQ(json["panels"][0]["bones"], nlohmann::json::parse("[[1, 0]]"));
  ASSERT_EQ(json["panels"][0]["joints"].size(), 3u);
  EXPECT_EQ(json["panels"][0]["joints"][0], nlohmann::json::parse("[0, 0, 0, 1, 1, 0]"));
  EXPECT_EQ(json["panels"][1]["joints"].size(), 2u);
  EXPECT_NEAR(json["pixels_per_metre"].get<double>(), 134.4, 1e-9);
}

TEST_F(ClipRenderTest, APanelFollowsAClipThatWalksOutOfIt) {
  // The same 1 m bone standing still and walking 5 m to the right: both drawn at the scale that fits the bone,
  // the walking one by a panel that follows its root and holds still at the path's ends.
  auto dataset = stick_dataset({6}, {1.0f});
  std::vector<float> walk;
  for (int frame = 0; frame < 6; ++frame) {
    const float x = static_cast<float>(frame);
    walk.insert(walk.end(), {x, 0, 0, x + 1, 1, 0});
  }
  dataset.add_clip(walk.data(), 6, 0, {});
  render_clips({{&dataset, 0, "still"}, {&dataset, 1, "walk"}}, {}, directory_ / "walk.html");
  const auto html = read_bytes(directory_ / "walk.html");
  const std::string open = "id=\"clip-data\">";
  const auto start = html.find(open) + open.size();
  const auto json = nlohmann::json::parse(html.substr(start, html.find("</script>", start) - start));
  EXPECT_NEAR(json["pixels_per_metre"].get<double>(), 134.4, 1e-9);
  EXPECT_EQ(json["panels"][0]["centre_x"], nlohmann::json::parse("[0.5]"));
  // Half the usable panel is 67.2 px = 0.5 m: the camera runs from 0.5 to 5.5 m, here on the root at 0..5.
  EXPECT_EQ(json["panels"][1]["centre_x"], nlohmann::json::parse("[0.5, 1, 2, 3, 4, 5]"));
}

TEST_F(ClipRenderTest, RefusesWhatItCannotDraw) {
  const auto dataset = stick_dataset({3}, {1.0f});
  const std::vector<ClipPanel> panels{{&dataset, 0, "a"}};
  auto message = [&](const std::vector<ClipPanel>& these, const RenderOptions& options,
                     const std::filesystem::path& output) -> std::string {
    try {
      render_clips(these, options, output);
    } catch (const core::UserError& error) {
      return error.what();
    }
    return "no error";
  };
  EXPECT_NE(message(panels, {}, directory_ / "a.png").find("must end in .gif, .mp4 or .html"), std::string::npos);
  EXPECT_NE(message({}, {}, directory_ / "a.gif").find("no clips"), std::string::npos);
  EXPECT_NE(message({{&dataset, 1, "x"}}, {}, directory_ / "a.gif").find("clip 1 is out of range"), std::string::npos);
  EXPECT_NE(message({{nullptr, 0, "x"}}, {}, directory_ / "a.gif").find("no dataset"), std::string::npos);
  RenderOptions tiny;
  tiny.panel_size = 8;
  EXPECT_NE(message(panels, tiny, directory_ / "a.gif").find("panel size 8"), std::string::npos);
  const auto plain_file = directory_ / "plain";
  std::ofstream(plain_file) << "not a folder";
  const auto unmakeable = plain_file / "a.gif";
  EXPECT_NE(message(panels, {}, unmakeable).find(unmakeable.string() + ": cannot make its folder"), std::string::npos);
  std::filesystem::remove(plain_file);
  EXPECT_TRUE(std::filesystem::is_empty(directory_));
  // A missing output folder is made.
  EXPECT_EQ(message(panels, {}, directory_ / "new" / "a.html"), "no error");
  EXPECT_TRUE(std::filesystem::exists(directory_ / "new" / "a.html"));
}

}  // namespace
}  // namespace skelaug::visual
