#include "writable_target.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "skelaug/core/error.h"

namespace skelaug::visual {

void require_writable_target(const std::filesystem::path& file) {
  const auto directory = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  std::error_code error;
  std::filesystem::create_directories(directory, error);  // as every skelaug output: its folder is made if missing
  if (error) {
    throw core::UserError(
        fmt::format("{}: cannot write: cannot make the directory {}: {}", file.string(), directory.string(),
                    error.message()));
  }
  if (::access(directory.c_str(), W_OK | X_OK) != 0) {
    throw core::UserError(fmt::format("{}: cannot write in {}: {}", file.string(), directory.string(),
                                      std::strerror(errno)));
  }
}

}  // namespace skelaug::visual
