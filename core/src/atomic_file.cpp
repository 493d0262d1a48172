#include "skelaug/core/atomic_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "skelaug/core/file_writer.h"
#include "skelaug/core/output_folder.h"

namespace skelaug::core {
namespace {

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
  throw std::runtime_error(fmt::format("{}: {}: {}", path.string(), what, std::strerror(errno)));
}

void sync_path(const std::filesystem::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) fail("cannot open to sync", path);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0 && errno != EINVAL) fail("fsync failed", path);  // EINVAL: the file system cannot sync directories
}

}  // namespace

AtomicFile::AtomicFile(std::filesystem::path target) : target_(std::move(target)) {
  make_output_folder(target_);
  // The pid keeps concurrent writers (several ranks, several jobs) from sharing a temporary.
  temp_ = target_;
  temp_ += fmt::format(".tmp-{}", ::getpid());
}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    std::error_code ignored;
    std::filesystem::remove(temp_, ignored);
  }
}

void AtomicFile::commit() {
  if (committed_) throw std::logic_error("AtomicFile committed twice: " + target_.string());
  sync_path(temp_, O_RDONLY);
  if (::rename(temp_.c_str(), target_.c_str()) != 0) fail("cannot rename " + temp_.string() + " to", target_);
  committed_ = true;
  const auto parent = target_.has_parent_path() ? target_.parent_path() : std::filesystem::path(".");
  sync_path(parent, O_RDONLY | O_DIRECTORY);
}

void write_file_atomically(const std::filesystem::path& target, std::string_view content) {
  AtomicFile file(target);
  FileWriter writer(file.temp_path());
  writer.write(content.data(), content.size());
  writer.finish();
  file.commit();
}

}  // namespace skelaug::core
