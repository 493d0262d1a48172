#include "skelaug/core/file_checksum.h"

#include <fmt/format.h>

#include <boost/crc.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "skelaug/core/atomic_file.h"

namespace skelaug::core {
namespace {

using Crc64 = boost::crc_optimal<64, 0x42F0E1EBA9EA3693ULL, ~0ULL, ~0ULL, true, true>;

}  // namespace

std::uint64_t file_crc64(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot read: {}", file.string(), std::strerror(errno)));
  Crc64 crc;
  std::vector<char> block(1 << 20);
  while (in) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    crc.process_bytes(block.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw std::runtime_error(fmt::format("{}: read failed: {}", file.string(), std::strerror(errno)));
  return crc.checksum();
}

std::filesystem::path checksum_path(const std::filesystem::path& file) {
  return file.parent_path() / ("." + file.filename().string() + ".crc64");
}

void write_checksum(const std::filesystem::path& file, std::uint64_t crc) {
  write_file_atomically(checksum_path(file), fmt::format("{:016x}\n", crc));
}

ChecksumStatus verify_checksum(const std::filesystem::path& file, std::string* detail) {
  const auto recorded_file = checksum_path(file);
  std::ifstream in(recorded_file);
  if (!in) return ChecksumStatus::kMissing;
  std::string recorded;
  in >> recorded;
  const auto actual = fmt::format("{:016x}", file_crc64(file));
  if (recorded == actual) return ChecksumStatus::kMatches;
  if (detail != nullptr) *detail = fmt::format("CRC-64 {} but {} records {}", actual, recorded_file.string(), recorded);
  return ChecksumStatus::kMismatch;
}

}  // namespace skelaug::core
