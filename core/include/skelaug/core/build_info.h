#pragma once

#include <string>

namespace skelaug::core {

// Facts fixed when the build was configured.
struct BuildInfo {
  std::string version;          // skelaug's own version
  std::string build_type;       // CMAKE_BUILD_TYPE
  std::string torch_version;    // LibTorch version found at configure time
  bool torch_cuda = false;      // LibTorch was built with CUDA
  bool nccl_compiled = false;   // the NCCL backend is compiled in
  std::string nccl_version;     // NCCL headers' version, empty when not compiled
  bool pictures = false;        // PLplot and libgd are linked: plots (PNG, SVG) and GIF clips
  bool video = false;           // FFmpeg is linked: `skelaug render` writes MP4
};

const BuildInfo& build_info();

}  // namespace skelaug::core
