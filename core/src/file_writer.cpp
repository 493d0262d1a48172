#include "skelaug/core/file_writer.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace skelaug::core {

FileWriter::FileWriter(std::filesystem::path path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error(fmt::format("{}: cannot create: {}", path_.string(), std::strerror(errno)));
}

FileWriter::~FileWriter() {
  if (fd_ >= 0) ::close(fd_);
}

std::size_t FileWriter::write(const void* data, std::size_t size) {
  const auto* bytes = static_cast<const char*>(data);
  for (std::size_t done = 0; error_ == 0 && done < size;) {
    const auto written = ::write(fd_, bytes + done, size - done);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      error_ = written < 0 ? errno : ENOSPC;  // a zero-byte write makes no progress: the device is full
      break;
    }
    done += static_cast<std::size_t>(written);
  }
  return size;
}

void FileWriter::finish() {
  if (fd_ < 0) throw std::logic_error("FileWriter finished twice: " + path_.string());
  const int closed = ::close(fd_);
  fd_ = -1;
  if (error_ == 0 && closed != 0) error_ = errno;
  if (error_ != 0) throw std::runtime_error(fmt::format("{}: write failed: {}", path_.string(), std::strerror(error_)));
}

}  // namespace skelaug::core
