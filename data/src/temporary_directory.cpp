#include "temporary_directory.h"

#include <fmt/format.h>
#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace skelaug::data {

TemporaryDirectory::TemporaryDirectory(const std::string& prefix) {
  const std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "XXXXXX")).string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  // mkdtemp creates the directory with mode 0700 under a name nobody else can have claimed.
  if (mkdtemp(name.data()) == nullptr) {
    throw std::runtime_error(fmt::format("cannot create a temporary directory {}: {}", pattern, std::strerror(errno)));
  }
  path_ = name.data();
}

TemporaryDirectory::~TemporaryDirectory() {
  std::error_code ignored;  // a destructor must not throw; a leftover in /tmp is harmless
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace skelaug::data
