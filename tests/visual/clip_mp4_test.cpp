// MP4 output of render_clips, read back through FFmpeg's own demuxer and H.264 decoder: the stream's size, rate and
// frame count, and the drawing's pixels. In a build without video, the refusal instead.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "scratch_directory_test.h"
#include "skelaug/core/error.h"
#include "skelaug/visual/clip_render.h"
#include "stick_clips.h"

#if SKELAUG_WITH_VIDEO
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}
#endif

namespace skelaug::visual {
namespace {

using testing::read_bytes;
using testing::stick_dataset;

class ClipMp4Test : public testing::ScratchDirectoryTest {};

#if SKELAUG_WITH_VIDEO

// What a player sees in an MP4: its video stream and every decoded frame's luma plane.
struct DecodedVideo {
  AVCodecID codec = AV_CODEC_ID_NONE;
  int width = 0, height = 0;
  AVRational frame_rate{0, 1};
  std::vector<std::vector<std::uint8_t>> luma;  // per frame, width x height, rows packed

  int at(std::size_t frame, int x, int y) const { return luma.at(frame).at(static_cast<std::size_t>(y) * width + x); }
};

DecodedVideo decode(const std::filesystem::path& file) {
  AVFormatContext* raw = nullptr;
  if (avformat_open_input(&raw, file.c_str(), nullptr, nullptr) < 0) throw std::runtime_error("cannot open the MP4");
  std::unique_ptr<AVFormatContext, void (*)(AVFormatContext*)> format(raw, [](AVFormatContext* f) {
    avformat_close_input(&f);
  });
  if (avformat_find_stream_info(format.get(), nullptr) < 0) throw std::runtime_error("no stream info");
  if (format->nb_streams != 1) throw std::runtime_error("expected one stream");
  const AVStream* stream = format->streams[0];
  DecodedVideo video;
  video.codec = stream->codecpar->codec_id;
  video.width = stream->codecpar->width;
  video.height = stream->codecpar->height;
  video.frame_rate = stream->avg_frame_rate;

  const AVCodec* decoder = avcodec_find_decoder(stream->codecpar->codec_id);
  if (decoder == nullptr) throw std::runtime_error("no decoder");
  std::unique_ptr<AVCodecContext, void (*)(AVCodecContext*)> codec(
      avcodec_alloc_context3(decoder), [](AVCodecContext* c) { avcodec_free_context(&c); });
  avcodec_parameters_to_context(codec.get(), stream->codecpar);
  if (avcodec_open2(codec.get(), decoder, nullptr) < 0) throw std::runtime_error("cannot open the decoder");
  std::unique_ptr<AVPacket, void (*)(AVPacket*)> packet(av_packet_alloc(), [](AVPacket* p) { av_packet_free(&p); });
  std::unique_ptr<AVFrame, void (*)(AVFrame*)> frame(av_frame_alloc(), [](AVFrame* f) { av_frame_free(&f); });
  auto drain = [&] {
    while (avcodec_receive_frame(codec.get(), frame.get()) == 0) {
      std::vector<std::uint8_t> plane(static_cast<std::size_t>(frame->width) * frame->height);
      for (int y = 0; y < frame->height; ++y) {
        std::copy_n(frame->data[0] + static_cast<std::ptrdiff_t>(y) * frame->linesize[0], frame->width,
                    plane.begin() + static_cast<std::ptrdiff_t>(y) * frame->width);
      }
      video.luma.push_back(std::move(plane));
    }
  };
  while (av_read_frame(format.get(), packet.get()) >= 0) {
    avcodec_send_packet(codec.get(), packet.get());
    av_packet_unref(packet.get());
    drain();
  }
  avcodec_send_packet(codec.get(), nullptr);
  drain();
  return video;
}

TEST_F(ClipMp4Test, IsAnH264StreamWithEveryFrameAtTheClipsRate) {
  ASSERT_TRUE(can_render_mp4());
  const auto dataset = stick_dataset({7, 4, 5}, {1.0f, 0.5f, 0.8f});
  RenderOptions options;
  options.panel_size = 100;
  render_clips({{&dataset, 0, "long"}, {&dataset, 1, "short"}, {&dataset, 2, "middle"}}, options,
               directory_ / "clips.mp4");
  const auto bytes = read_bytes(directory_ / "clips.mp4");
  ASSERT_GT(bytes.size(), 12u);
  EXPECT_EQ(bytes.substr(4, 4), "ftyp");  // an ISO base media file
  const auto video = decode(directory_ / "clips.mp4");
  EXPECT_EQ(video.codec, AV_CODEC_ID_H264);
  EXPECT_EQ(video.width, 200);
  EXPECT_EQ(video.height, 2 * (100 + 16));
  EXPECT_EQ(video.frame_rate.num, 10 * video.frame_rate.den);
  EXPECT_EQ(video.luma.size(), 7u);  // the longest clip; unlike GIF, no frame is ever dropped
  EXPECT_FALSE(std::filesystem::exists(directory_ / ("clips.mp4.tmp-" + std::to_string(::getpid()))));
}

TEST_F(ClipMp4Test, OddSidesArePaddedAndHighRatesKeepEveryFrame) {
  // 4:2:0 needs even sides: a 33-pixel panel (33 x 49 with its caption) becomes 34 x 50. 100 fps keeps all frames.
  const auto dataset = stick_dataset({9}, {1.0f}, 100);
  RenderOptions options;
  options.panel_size = 33;
  render_clips({{&dataset, 0, "a"}}, options, directory_ / "odd.mp4");
  const auto video = decode(directory_ / "odd.mp4");
  EXPECT_EQ(video.width, 34);
  EXPECT_EQ(video.height, 50);
  EXPECT_EQ(video.luma.size(), 9u);
  EXPECT_EQ(video.frame_rate.num, 100 * video.frame_rate.den);
}

TEST_F(ClipMp4Test, TheBoneIsDrawnWhereTheGifDrawsIt) {
  // The same bone as the GIF test: (12.8, 147.2) to (147.2, 12.8) pixels in a 160-pixel panel, dark grey (60, 60, 60:
  // luma about 68 in limited range) on white (luma 235). Compression blurs, so the test asks for dark on the line and
  // white well away from it.
  const auto dataset = stick_dataset({3}, {1.0f});
  render_clips({{&dataset, 0, "stick"}}, {}, directory_ / "stick.mp4");
  const auto video = decode(directory_ / "stick.mp4");
  ASSERT_EQ(video.width, 160);
  ASSERT_EQ(video.height, 176);
  for (double t = 0.05; t < 1; t += 0.05) {
    const int x = static_cast<int>(std::lround(12.8 + t * 134.4));
    const int y = static_cast<int>(std::lround(147.2 - t * 134.4));
    EXPECT_LT(video.at(0, x, y), 130) << "no bone at " << x << "," << y;
  }
  // Away from the line (below-right of it and above-left of it) the panel is white.
  for (const auto& [x, y] : std::vector<std::pair<int, int>>{{120, 140}, {30, 30}, {100, 130}, {50, 60}}) {
    EXPECT_GT(video.at(0, x, y), 220) << "not background at " << x << "," << y;
  }
}

#else

TEST_F(ClipMp4Test, ABuildWithoutVideoRefusesMp4SayingWhy) {
  ASSERT_FALSE(can_render_mp4());
  const auto dataset = stick_dataset({3}, {1.0f});
  try {
    render_clips({{&dataset, 0, "a"}}, {}, directory_ / "a.mp4");
    FAIL() << "no error";
  } catch (const core::UserError& error) {
    EXPECT_NE(std::string(error.what()).find("built without video"), std::string::npos) << error.what();
  }
  EXPECT_TRUE(std::filesystem::is_empty(directory_));
}

#endif

}  // namespace
}  // namespace skelaug::visual
