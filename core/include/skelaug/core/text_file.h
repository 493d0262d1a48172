#pragma once

#include <filesystem>
#include <string>

namespace skelaug::core {

// The whole of `file` as bytes. A UserError "<file>: <what> not found" when it does not exist and "<file>: cannot read
// the <what>" when it cannot be read, so callers name what they were looking for (a config file, a plan, ...).
std::string read_text_file(const std::filesystem::path& file, const char* what = "file");

}  // namespace skelaug::core
