#pragma once

// Owners of libgd's handles: an image (gdImageDestroy) and memory that libgd allocated (gdFree).
#include <gd.h>

#include <memory>

namespace skelaug::visual {

struct GdImageDeleter {
  void operator()(gdImagePtr image) const { gdImageDestroy(image); }
};
using GdImage = std::unique_ptr<gdImage, GdImageDeleter>;

struct GdMemoryDeleter {
  void operator()(void* memory) const { gdFree(memory); }
};
using GdMemory = std::unique_ptr<void, GdMemoryDeleter>;

}  // namespace skelaug::visual
