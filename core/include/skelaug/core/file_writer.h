#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

namespace skelaug::core {

// A byte sink into a file that keeps its first failure (a full disk, a file-size limit, an I/O error) for finish()
// instead of reporting it at the failing call. It exists for writers that take a callback and cannot survive a
// failure inside it: LibTorch's archive writer reacts to a short write by throwing from its destructor, which
// terminates the process and leaves a partial file behind. Here write() always reports every byte taken; finish()
// closes the file and throws std::runtime_error naming the path and the system's reason.
class FileWriter {
 public:
  explicit FileWriter(std::filesystem::path path);  // creates or truncates; throws naming the path
  ~FileWriter();
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  std::size_t write(const void* data, std::size_t size);
  void finish();  // once; throws if any write failed or the close did

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  int error_ = 0;  // errno of the first failure, 0 while all is well
};

}  // namespace skelaug::core
