#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "skelaug/data/skeleton_dataset.h"

namespace skelaug::data {

// A directory of generated clips as `skelaug sample` writes it: one dataset file per chunk of work items
// (shard-000000.npz, ...), each with its CRC-64 beside it (.shard-000000.npz.crc64), and manifest.json, which says what
// made the set (config, checkpoint), how many chunks it has, and once `complete` is true, each shard's clip count and
// checksum. A complete directory is accepted wherever a dataset file is (load_dataset): its shards in chunk order.
inline constexpr const char* kSampleManifest = "manifest.json";
inline constexpr const char* kSampleFormat = "skelaug-samples-1";

std::string shard_name(std::int64_t chunk);  // "shard-000012.npz"

// Whether `path` is a directory holding a manifest.json.
bool is_sample_directory(const std::filesystem::path& path);

// manifest.json of `directory`, parsed; core::UserError naming the file when it is unreadable or not this format.
nlohmann::json read_sample_manifest(const std::filesystem::path& directory);

// Every shard of a complete sample directory, concatenated in chunk order. core::UserError naming the directory when
// it is incomplete (sampling stopped or still running: run the same `skelaug sample` command again), or naming the
// shard that is missing or whose checksum does not match.
SkeletonDataset load_sample_directory(const std::filesystem::path& directory);

}  // namespace skelaug::data
