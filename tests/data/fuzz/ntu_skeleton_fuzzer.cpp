// libFuzzer target for the NTU RGB+D .skeleton parser: any input must give a recording or a core::UserError, never
// a crash, a sanitizer report, another exception or a hang. Built by hand (see CMakeLists.txt here), not by default.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "skelaug/core/error.h"
#include "skelaug/data/ntu_skeleton.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto recording = skelaug::data::parse_ntu_skeleton(
        std::string_view(reinterpret_cast<const char*>(data), size), "S001C001P001R001A001.skeleton");
    skelaug::data::bodies_by_motion(recording);
  } catch (const skelaug::core::UserError&) {
    // the expected outcome for malformed input; anything else escapes and is reported by libFuzzer
  }
  return 0;
}
