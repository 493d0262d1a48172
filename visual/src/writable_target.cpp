#include "writable_target.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "skelaug/core/error.h"
#include "skelaug/core/output_folder.h"

namespace skelaug::visual {

void require_writable_target(const std::filesystem::path& file) {
  const auto directory = core::make_output_folder(file);
  if (::access(directory.c_str(), W_OK | X_OK) != 0) {
    throw core::UserError(fmt::format("{}: cannot write in {}: {}", file.string(), directory.string(),
                                      std::strerror(errno)));
  }
}

}  // namespace skelaug::visual
