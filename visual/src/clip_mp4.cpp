#include "clip_mp4.h"

#include <fmt/format.h>

#include <stdexcept>

#include "skelaug/visual/clip_render.h"

#if SKELAUG_WITH_VIDEO
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "clip_frame.h"
#include "gd_handles.h"
#endif

namespace skelaug::visual {

#if SKELAUG_WITH_VIDEO
namespace {

// Owners of FFmpeg's handles.
struct FormatContextDeleter {
  void operator()(AVFormatContext* context) const { avformat_free_context(context); }
};
struct CodecContextDeleter {
  void operator()(AVCodecContext* context) const { avcodec_free_context(&context); }
};
struct FrameDeleter {
  void operator()(AVFrame* frame) const { av_frame_free(&frame); }
};
struct PacketDeleter {
  void operator()(AVPacket* packet) const { av_packet_free(&packet); }
};
struct ScaleContextDeleter {
  void operator()(SwsContext* context) const { sws_freeContext(context); }
};
struct IoContextDeleter {
  void operator()(AVIOContext* context) const {
    av_freep(&context->buffer);  // the buffer may have been replaced by FFmpeg: free the current one
    avio_context_free(&context);
  }
};

std::string av_message(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof(text));
  return text;
}

void check(int code, const char* what) {
  if (code < 0) throw std::runtime_error(fmt::format("MP4: {} failed: {}", what, av_message(code)));
}

// The MP4 muxer seeks back to patch box sizes, so the file is built in memory (a growable buffer with a cursor) and
// written atomically afterwards like every other picture.
struct MemoryFile {
  std::string bytes;
  std::size_t position = 0;
};

#if LIBAVFORMAT_VERSION_MAJOR >= 61
int write_packet(void* opaque, const std::uint8_t* data, int size) {
#else
int write_packet(void* opaque, std::uint8_t* data, int size) {
#endif
  auto& file = *static_cast<MemoryFile*>(opaque);
  const auto end = file.position + static_cast<std::size_t>(size);
  if (end > file.bytes.size()) file.bytes.resize(end);
  std::memcpy(file.bytes.data() + file.position, data, static_cast<std::size_t>(size));
  file.position = end;
  return size;
}

std::int64_t seek(void* opaque, std::int64_t offset, int whence) {
  auto& file = *static_cast<MemoryFile*>(opaque);
  const auto size = static_cast<std::int64_t>(file.bytes.size());
  std::int64_t target = 0;
  switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE: return size;
    case SEEK_SET: target = offset; break;
    case SEEK_CUR: target = static_cast<std::int64_t>(file.position) + offset; break;
    case SEEK_END: target = size + offset; break;
    default: return AVERROR(EINVAL);
  }
  if (target < 0) return AVERROR(EINVAL);
  file.position = static_cast<std::size_t>(target);
  return target;
}

// Sends `frame` (nullptr: the end of the stream) and writes every packet the encoder has ready.
void encode(AVCodecContext* codec, AVFrame* frame, AVFormatContext* format, AVStream* stream, AVPacket* packet) {
  check(avcodec_send_frame(codec, frame), "sending a frame to the H.264 encoder");
  while (true) {
    const int received = avcodec_receive_packet(codec, packet);
    if (received == AVERROR(EAGAIN) || received == AVERROR_EOF) return;
    check(received, "receiving a packet from the H.264 encoder");
    av_packet_rescale_ts(packet, codec->time_base, stream->time_base);
    packet->stream_index = stream->index;
    check(av_interleaved_write_frame(format, packet), "writing a packet");  // unreferences the packet
  }
}

}  // namespace

bool can_render_mp4() { return true; }

std::string encode_clip_mp4(const ClipGrid& grid) {
  // libx264 reports its statistics on every file through FFmpeg's log; skelaug's own output says what was written.
  av_log_set_level(AV_LOG_ERROR);
  const AVCodec* h264 = avcodec_find_encoder(AV_CODEC_ID_H264);
  if (h264 == nullptr) {
    throw std::runtime_error("MP4: this FFmpeg has no H.264 encoder (Debian's libavcodec has libx264)");
  }
  const int width = grid.width + grid.width % 2, height = grid.height + grid.height % 2;
  const AVRational frame_rate = av_d2q(grid.fps, 1 << 16);

  std::unique_ptr<AVCodecContext, CodecContextDeleter> codec(avcodec_alloc_context3(h264));
  if (!codec) throw std::runtime_error("MP4: cannot allocate the H.264 encoder");
  codec->width = width;
  codec->height = height;
  codec->pix_fmt = AV_PIX_FMT_YUV420P;
  codec->time_base = av_inv_q(frame_rate);
  codec->framerate = frame_rate;
  codec->gop_size = 2 * static_cast<int>(std::ceil(grid.fps));  // a key frame every 2 s, for seeking
  codec->color_range = AVCOL_RANGE_MPEG;  // swscale's default RGB->YUV conversion: BT.601, limited range
  codec->colorspace = AVCOL_SPC_SMPTE170M;
  codec->thread_count = 1;  // the same bytes on every run; the grids are small
  if (std::strcmp(h264->name, "libx264") == 0) {
    // Thin lines on a flat background: x264's "animation" tuning, and a quality high enough that bones stay crisp.
    av_opt_set(codec->priv_data, "preset", "medium", 0);
    av_opt_set(codec->priv_data, "tune", "animation", 0);
    av_opt_set(codec->priv_data, "crf", "18", 0);
  }

  AVFormatContext* raw_format = nullptr;
  check(avformat_alloc_output_context2(&raw_format, nullptr, "mp4", nullptr), "setting up the MP4 muxer");
  std::unique_ptr<AVFormatContext, FormatContextDeleter> format(raw_format);
  if (format->oformat->flags & AVFMT_GLOBALHEADER) codec->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  check(avcodec_open2(codec.get(), h264, nullptr), "opening the H.264 encoder");

  AVStream* stream = avformat_new_stream(format.get(), nullptr);
  if (stream == nullptr) throw std::runtime_error("MP4: cannot add a video stream");
  check(avcodec_parameters_from_context(stream->codecpar, codec.get()), "describing the video stream");
  stream->time_base = codec->time_base;
  stream->avg_frame_rate = frame_rate;

  MemoryFile file;
  constexpr int kIoBufferSize = 1 << 16;
  auto* buffer = static_cast<unsigned char*>(av_malloc(kIoBufferSize));
  if (buffer == nullptr) throw std::bad_alloc();
  std::unique_ptr<AVIOContext, IoContextDeleter> io(
      avio_alloc_context(buffer, kIoBufferSize, 1, &file, nullptr, write_packet, seek));
  if (!io) {
    av_free(buffer);
    throw std::bad_alloc();
  }
  format->pb = io.get();
  format->flags |= AVFMT_FLAG_CUSTOM_IO;
  check(avformat_write_header(format.get(), nullptr), "writing the MP4 header");

  std::unique_ptr<AVFrame, FrameDeleter> picture(av_frame_alloc());
  std::unique_ptr<AVPacket, PacketDeleter> packet(av_packet_alloc());
  if (!picture || !packet) throw std::bad_alloc();
  picture->format = AV_PIX_FMT_YUV420P;
  picture->width = width;
  picture->height = height;
  check(av_frame_get_buffer(picture.get(), 0), "allocating a video frame");
  std::unique_ptr<SwsContext, ScaleContextDeleter> to_yuv(sws_getContext(
      width, height, AV_PIX_FMT_RGB24, width, height, AV_PIX_FMT_YUV420P, SWS_BICUBIC, nullptr, nullptr, nullptr));
  if (!to_yuv) throw std::runtime_error("MP4: cannot set up the RGB to YUV conversion");

  std::vector<std::uint8_t> rgb(static_cast<std::size_t>(width) * height * 3);
  for (std::int64_t frame = 0; frame < grid.frames; ++frame) {
    GdImage image(gdImageCreateTrueColor(width, height));
    if (!image) throw std::runtime_error(fmt::format("libgd cannot create a {}x{} image", width, height));
    const auto palette = allocate_clip_palette(image.get());
    gdImageFilledRectangle(image.get(), 0, 0, width - 1, height - 1, palette.background);
    draw_clip_frame(image.get(), palette, grid, frame);
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) {
        const int colour = gdImageTrueColorPixel(image.get(), x, y);
        auto* pixel = rgb.data() + (static_cast<std::size_t>(y) * width + x) * 3;
        pixel[0] = static_cast<std::uint8_t>(gdTrueColorGetRed(colour));
        pixel[1] = static_cast<std::uint8_t>(gdTrueColorGetGreen(colour));
        pixel[2] = static_cast<std::uint8_t>(gdTrueColorGetBlue(colour));
      }
    }
    check(av_frame_make_writable(picture.get()), "reusing the video frame");
    const std::uint8_t* source[1] = {rgb.data()};
    const int source_stride[1] = {3 * width};
    sws_scale(to_yuv.get(), source, source_stride, 0, height, picture->data, picture->linesize);
    picture->pts = frame;
    encode(codec.get(), picture.get(), format.get(), stream, packet.get());
  }
  encode(codec.get(), nullptr, format.get(), stream, packet.get());
  check(av_write_trailer(format.get()), "writing the MP4 index");
  avio_flush(io.get());
  return std::move(file.bytes);
}

#else

bool can_render_mp4() { return false; }

std::string encode_clip_mp4(const ClipGrid&) { throw std::logic_error("MP4: this skelaug was built without video"); }

#endif

}  // namespace skelaug::visual
