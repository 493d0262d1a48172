#include "clip_gif.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "clip_frame.h"
#include "gd_handles.h"

namespace skelaug::visual {
namespace {

// GIF delays are whole hundredths of a second, and viewers stretch delays under 2/100 s to about 10/100 s, so above
// this rate frames are dropped instead.
constexpr double kFastestGifFps = 50;

GdImage new_frame(const ClipGrid& grid) {
  GdImage image(gdImageCreate(grid.width, grid.height));
  if (!image) throw std::runtime_error(fmt::format("libgd cannot create a {}x{} image", grid.width, grid.height));
  return image;
}

bool same_pixels(gdImagePtr a, gdImagePtr b) {
  for (int y = 0; y < gdImageSY(a); ++y) {
    for (int x = 0; x < gdImageSX(a); ++x) {
      if (gdImageGetPixel(a, x, y) != gdImageGetPixel(b, x, y)) return false;
    }
  }
  return true;
}

// Appends what a libgd *Ptr encoder returned (its bytes and their count).
void append(std::string& bytes, void* encoded, int size, const std::string& what) {
  const GdMemory memory(encoded);
  if (!memory || size < 0) throw std::runtime_error(fmt::format("libgd failed to encode the GIF's {}", what));
  bytes.append(static_cast<const char*>(memory.get()), static_cast<std::size_t>(size));
}

}  // namespace

std::string encode_clip_gif(const ClipGrid& grid) {
  const auto stride = static_cast<std::int64_t>(std::max(1.0, std::ceil(grid.fps / kFastestGifFps - 1e-9)));
  std::string bytes;
  int size = 0;
  GdImage previous;
  for (std::int64_t index = 0, frame = 0; frame < grid.frames; ++index, frame += stride) {
    auto image = new_frame(grid);
    const auto palette = allocate_clip_palette(image.get());
    draw_clip_frame(image.get(), palette, grid, frame);
    if (index == 0) {
      // The first frame's palette is the global colour table; 0 loops = forever (the NETSCAPE2.0 extension).
      void* header = gdImageGifAnimBeginPtr(image.get(), &size, 1, 0);
      append(bytes, header, size, "header");
    }
    // Each frame's delay rounds the running time, not the frame's own duration, so 30 fps plays at 30, not 33.
    const auto delay = std::lround(100.0 * static_cast<double>((index + 1) * stride) / grid.fps) -
                       std::lround(100.0 * static_cast<double>(index * stride) / grid.fps);
    // With the previous frame given, libgd stores only the rectangle that changed; but libgd 2.3 fails on a frame
    // with no change at all (a still pose, every clip holding its last frame), which is then stored whole.
    const bool changed = previous && !same_pixels(previous.get(), image.get());
    void* encoded = gdImageGifAnimAddPtr(image.get(), &size, 0, 0, 0, static_cast<int>(std::max(2L, delay)),
                                         gdDisposalNone, changed ? previous.get() : nullptr);
    append(bytes, encoded, size, fmt::format("frame {}", frame));
    previous = std::move(image);
  }
  void* trailer = gdImageGifAnimEndPtr(&size);
  append(bytes, trailer, size, "trailer");
  return bytes;
}

}  // namespace skelaug::visual
