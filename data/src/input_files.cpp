#include "skelaug/data/input_files.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>

#include "skelaug/core/error.h"

namespace skelaug::data {
namespace {

bool has_extension(const std::filesystem::path& path, const std::vector<std::string>& extensions) {
  std::string name = path.filename().string();
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  return std::any_of(extensions.begin(), extensions.end(), [&name](const std::string& extension) {
    return name.size() >= extension.size() && name.compare(name.size() - extension.size(), extension.size(), extension) == 0;
  });
}

}  // namespace

std::vector<std::filesystem::path> expand_inputs(const std::vector<std::string>& inputs,
                                                 const std::vector<std::string>& extensions) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (const auto& input : inputs) {
    std::error_code error;
    const auto status = fs::status(input, error);
    if (fs::is_regular_file(status)) {
      files.emplace_back(input);
    } else if (fs::is_directory(status)) {
      std::vector<fs::path> found;
      for (fs::recursive_directory_iterator it(input, error), end; !error && it != end; it.increment(error)) {
        if (it->is_regular_file() && has_extension(it->path(), extensions)) found.push_back(it->path());
      }
      if (error) throw core::UserError(fmt::format("{}: cannot list the directory: {}", input, error.message()));
      if (found.empty()) {
        throw core::UserError(fmt::format("{}: no {} files in this directory", input, fmt::join(extensions, "/")));
      }
      files.insert(files.end(), found.begin(), found.end());
    } else {
      throw core::UserError(fmt::format("{}: no such file or directory", input));
    }
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

}  // namespace skelaug::data
