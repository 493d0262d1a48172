#pragma once

#include <filesystem>
#include <string>

namespace skelaug::data {

// A fresh private directory under the system temporary directory ($TMPDIR or /tmp), removed with everything in it
// when the object is destroyed. Holds the intermediate files passed between skelaug and its Python pickle readers.
class TemporaryDirectory {
 public:
  // `prefix` starts the directory's name (e.g. "skelaug-import-"). Throws std::runtime_error if it cannot be made.
  explicit TemporaryDirectory(const std::string& prefix);
  ~TemporaryDirectory();
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace skelaug::data
