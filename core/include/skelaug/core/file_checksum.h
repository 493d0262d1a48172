#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace skelaug::core {

// Integrity of files skelaug writes and reads back (checkpoints): a CRC-64 (ECMA-182, as xz uses it) of the file's
// bytes, kept beside it in .<file name>.crc64 as 16 hex digits. It detects a file damaged after it was written (a bad disk,
// a partial copy, an edit), which LibTorch's own reader would not always notice before deserialising garbage. The
// checksum file is hidden (.<name>.crc64), so listings and globs of a directory show the files themselves only.
std::uint64_t file_crc64(const std::filesystem::path& file);  // std::runtime_error naming an unreadable file

std::filesystem::path checksum_path(const std::filesystem::path& file);  // <dir>/.<name>.crc64

// Writes checksum_path(file) atomically for a file's checksum `crc` (computed before the file got its final name).
void write_checksum(const std::filesystem::path& file, std::uint64_t crc);

enum class ChecksumStatus {
  kMatches,   // the file's bytes have the recorded checksum
  kMissing,   // no checksum file (a file written before checksums existed)
  kMismatch,  // the bytes changed since the checksum was recorded, or the checksum file is damaged
};
// Checks `file` against its checksum file; `detail` (optional) says what differed.
ChecksumStatus verify_checksum(const std::filesystem::path& file, std::string* detail = nullptr);

}  // namespace skelaug::core
