#include "skelaug/core/text_file.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "skelaug/core/error.h"

namespace skelaug::core {

std::string read_text_file(const std::filesystem::path& file, const char* what) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) {
    throw UserError(fmt::format("{}: {} not found", file.string(), what));
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) throw UserError(fmt::format("{}: cannot read the {}", file.string(), what));
  return text.str();
}

}  // namespace skelaug::core
