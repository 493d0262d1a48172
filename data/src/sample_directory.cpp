#include "skelaug/data/sample_directory.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "skelaug/core/error.h"
#include "skelaug/core/file_checksum.h"
#include "skelaug/data/dataset_io.h"

namespace skelaug::data {

std::string shard_name(std::int64_t chunk) { return fmt::format("shard-{:06d}.npz", chunk); }

bool is_sample_directory(const std::filesystem::path& path) {
  std::error_code error;
  return std::filesystem::is_directory(path, error) &&
         std::filesystem::is_regular_file(path / kSampleManifest, error);
}

nlohmann::json read_sample_manifest(const std::filesystem::path& directory) {
  const auto file = directory / kSampleManifest;
  std::ifstream in(file);
  if (!in) throw core::UserError(fmt::format("{}: cannot be read", file.string()));
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json manifest;
  try {
    manifest = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::exception& e) {
    throw core::UserError(fmt::format("{}: not JSON: {}", file.string(), e.what()));
  }
  if (!manifest.is_object() || manifest.value("format", "") != kSampleFormat) {
    throw core::UserError(fmt::format("{}: not a skelaug sample manifest (format '{}' expected)", file.string(),
                                      kSampleFormat));
  }
  return manifest;
}

SkeletonDataset load_sample_directory(const std::filesystem::path& directory) {
  const auto manifest = read_sample_manifest(directory);
  const auto where = directory.string();
  if (!manifest.value("complete", false)) {
    throw core::UserError(fmt::format("{}: the sample set is incomplete (sampling stopped or is still running; run the "
                                      "same skelaug sample command again to complete it)",
                                      where));
  }
  SkeletonDataset merged;
  bool first = true;
  try {
    for (const auto& chunk : manifest.at("chunks")) {
      const auto shard = directory / chunk.at("file").get<std::string>();
      if (!std::filesystem::is_regular_file(shard)) {
        throw core::UserError(fmt::format("{}: missing; sample again into {} to redo it", shard.string(), where));
      }
      std::string detail;
      if (core::verify_checksum(shard, &detail) != core::ChecksumStatus::kMatches) {
        throw core::UserError(fmt::format("{}: {}; sample again into {} to redo it",
                                          shard.string(), detail.empty() ? "no checksum" : detail, where));
      }
      auto part = load_dataset(shard);
      if (first) {
        merged = std::move(part);
        first = false;
      } else {
        merged.append(part);
      }
    }
  } catch (const nlohmann::json::exception& e) {
    throw core::UserError(fmt::format("{}: {}: {}", where, kSampleManifest, e.what()));
  }
  if (first) throw core::UserError(fmt::format("{}: the sample set has no chunks", where));
  return merged;
}

}  // namespace skelaug::data
