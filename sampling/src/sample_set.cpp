#include "skelaug/sampling/sample_set.h"

#include <fmt/format.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <regex>

#include "skelaug/core/atomic_file.h"
#include "skelaug/core/config.h"
#include "skelaug/core/error.h"
#include "skelaug/core/text_file.h"
#include "skelaug/core/file_checksum.h"
#include "skelaug/core/logging.h"
#include "skelaug/data/dataset_io.h"

namespace skelaug::sampling {
namespace {

// The files a sample set consists of; --force removes these and nothing else.
const std::regex kSampleSetFile(R"((manifest\.json|\.?shard-\d{6}\.npz(\.crc64|\.stats\.json)?)(\.tmp-\d+)?)");
const std::regex kTemporary(R"(.*\.tmp-\d+)");

nlohmann::json identity_json(const SampleSetIdentity& identity) {
  return {{"format", data::kSampleFormat},
          {"checkpoint", identity.checkpoint},
          {"weights_crc64", identity.weights_crc64},
          {"items", identity.items},
          {"item_count", identity.item_count},
          {"chunk_size", identity.chunk_size},
          {"chunk_count", identity.chunk_count()},
          {"config", identity.config->to_yaml(/*comments=*/false)}};
}

void write_manifest(const std::filesystem::path& directory, const nlohmann::json& manifest) {
  core::write_file_atomically(directory / data::kSampleManifest, manifest.dump(2) + "\n");
}

// The first way `manifest` was made differently from `identity`, "" when it was not.
std::string difference(const nlohmann::json& manifest, const SampleSetIdentity& identity) {
  const auto expected = identity_json(identity);
  for (const char* key : {"weights_crc64", "items", "item_count", "chunk_size"}) {
    if (manifest.value(key, nlohmann::json()) != expected[key]) {
      const auto found = manifest.value(key, nlohmann::json());
      return key == std::string("weights_crc64")
                 ? fmt::format("another checkpoint (CRC-64 {}, now {})", found.dump(), expected[key].dump())
                 : fmt::format("another {} ({}, now {})", key, found.dump(), expected[key].dump());
    }
  }
  const auto text = manifest.value("config", std::string());
  if (text != expected["config"].get<std::string>()) {
    const auto before = core::parse_config(identity.config->schema(), text, data::kSampleManifest,
                                           identity.config->name());
    const auto keys = before.differing_keys(*identity.config);
    return fmt::format("another config ({})", keys.empty() ? std::string("its text") : fmt::format("{}", keys.front()));
  }
  return "";
}

void remove_sample_set_files(const std::filesystem::path& directory) {
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (std::regex_match(entry.path().filename().string(), kSampleSetFile)) std::filesystem::remove(entry.path());
  }
}

// Beside each shard: its chunk's refinement statistics, for the manifest (a rejected clip leaves no other trace).
std::filesystem::path stats_path(const std::filesystem::path& shard) {
  return shard.parent_path() / ("." + shard.filename().string() + ".stats.json");
}

bool shard_is_good(const std::filesystem::path& shard, std::string* why) {
  if (!std::filesystem::exists(shard)) return false;
  std::string detail;
  switch (core::verify_checksum(shard, &detail)) {
    case core::ChecksumStatus::kMatches:
      if (std::filesystem::exists(stats_path(shard))) return true;
      *why = "no refinement statistics beside it";
      return false;
    case core::ChecksumStatus::kMissing:
      *why = "no checksum (its writer was stopped)";
      return false;
    case core::ChecksumStatus::kMismatch:
      *why = detail;
      return false;
  }
  return false;
}

}  // namespace

std::vector<std::int64_t> prepare_sample_set(const std::filesystem::path& directory, const SampleSetIdentity& identity,
                                             bool force) {
  const auto where = directory.string();
  std::error_code error;
  if (std::filesystem::exists(directory, error) && !std::filesystem::is_directory(directory, error)) {
    throw core::UserError(fmt::format("{}: exists and is not a directory (skelaug sample writes a directory of "
                                      "shards; `skelaug data merge` makes one file of it)",
                                      where));
  }
  if (data::is_sample_directory(directory)) {
    const auto manifest = data::read_sample_manifest(directory);
    if (const auto differs = difference(manifest, identity); !differs.empty()) {
      if (!force) {
        throw core::UserError(fmt::format("{}: holds a sample set made with {}; sample into another directory, or "
                                          "add --force to start this one over",
                                          where, differs));
      }
      SKELAUG_LOG(kWarning) << fmt::format("{}: --force: removing the sample set made with {}", where, differs);
      remove_sample_set_files(directory);
    } else if (force) {
      remove_sample_set_files(directory);
    }
  } else if (std::filesystem::exists(directory, error) && !std::filesystem::is_empty(directory, error)) {
    throw core::UserError(
        fmt::format("{}: is a directory with other files and no {}; name a new or empty directory", where,
                    data::kSampleManifest));
  }
  std::filesystem::create_directories(directory);

  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (std::regex_match(entry.path().filename().string(), kTemporary)) std::filesystem::remove(entry.path());
  }
  auto manifest = identity_json(identity);
  manifest["complete"] = false;
  write_manifest(directory, manifest);

  std::vector<std::int64_t> to_do;
  for (std::int64_t chunk = 0; chunk < identity.chunk_count(); ++chunk) {
    const auto shard = directory / data::shard_name(chunk);
    std::string why;
    if (shard_is_good(shard, &why)) continue;
    if (!why.empty()) {
      SKELAUG_LOG(kWarning) << fmt::format("{}: {}: it is made again", shard.string(), why);
      std::filesystem::remove(shard);
      std::filesystem::remove(core::checksum_path(shard));
    }
    to_do.push_back(chunk);
  }
  return to_do;
}

void write_shard(const std::filesystem::path& directory, std::int64_t chunk, const data::SkeletonDataset& clips,
                 const RefinementStats& refinement) {
  const auto shard = directory / data::shard_name(chunk);
  core::write_file_atomically(stats_path(shard), refinement.to_json().dump(2) + "\n");
  data::save_dataset(shard, clips);
  core::write_checksum(shard, core::file_crc64(shard));
}

SampleSetSummary complete_sample_set(const std::filesystem::path& directory, const SampleSetIdentity& identity) {
  auto manifest = identity_json(identity);
  SampleSetSummary summary;
  auto chunks = nlohmann::json::array();
  for (std::int64_t chunk = 0; chunk < identity.chunk_count(); ++chunk) {
    const auto shard = directory / data::shard_name(chunk);
    std::string why;
    if (!shard_is_good(shard, &why)) {
      throw std::runtime_error(fmt::format("{}: {} after sampling", shard.string(), why.empty() ? "missing" : why));
    }
    const auto clips = data::load_dataset(shard);
    summary.refinement.add(RefinementStats::from_json(nlohmann::json::parse(core::read_text_file(stats_path(shard)))));
    for (const auto label : clips.labels) ++summary.class_counts[clips.class_names[static_cast<std::size_t>(label)]];
    summary.clips += static_cast<std::int64_t>(clips.size());
    chunks.push_back({{"file", data::shard_name(chunk)},
                      {"clips", clips.size()},
                      {"crc64", fmt::format("{:016x}", core::file_crc64(shard))}});
  }
  manifest["chunks"] = chunks;
  manifest["clips"] = summary.clips;
  manifest["class_counts"] = summary.class_counts;
  manifest["refinement"] = summary.refinement.to_json();
  manifest["complete"] = true;
  write_manifest(directory, manifest);
  return summary;
}

}  // namespace skelaug::sampling
