#include "skelaug/core/output_folder.h"

#include <fmt/format.h>

#include <system_error>

#include "skelaug/core/error.h"

namespace skelaug::core {

std::filesystem::path make_output_folder(const std::filesystem::path& file) {
  const auto folder = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) {
    throw UserError(
        fmt::format("{}: cannot make its folder {}: {}", file.string(), folder.string(), error.message()));
  }
  return folder;
}

}  // namespace skelaug::core
