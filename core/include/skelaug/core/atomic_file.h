#pragma once

#include <filesystem>
#include <string_view>

namespace skelaug::core {

// A file that appears under its final name only when complete. Writers fill temp_path() (with any API: an ofstream,
// torch::save, libzip), then commit() makes it durable and renames it over the target. Destroyed uncommitted (an
// exception, a failed write), it removes the temporary: readers never see a half-written file. The target's folder is
// made if missing (output_folder.h).
class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path target);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::filesystem::path& temp_path() const { return temp_; }
  const std::filesystem::path& target() const { return target_; }
  // fsync the temporary, rename it over the target, fsync the directory. Throws std::runtime_error with the path.
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path temp_;
  bool committed_ = false;
};

// Writes `content` to `target` through an AtomicFile.
void write_file_atomically(const std::filesystem::path& target, std::string_view content);

}  // namespace skelaug::core
