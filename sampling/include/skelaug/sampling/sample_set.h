#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "skelaug/data/sample_directory.h"
#include "skelaug/data/skeleton_dataset.h"
#include "skelaug/sampling/refinement.h"

namespace skelaug::core {
class Config;
}  // namespace skelaug::core

namespace skelaug::sampling {

// What made a sample set (data/sample_directory.h has the layout). Sampling again into the same directory continues
// it only when all of this matches; anything else would mix two sets.
struct SampleSetIdentity {
  const core::Config* config = nullptr;  // the resolved config, sample.* included
  std::string checkpoint;                // as given
  std::string weights_crc64;             // CRC-64 of the checkpoint file
  std::string items;                     // "per_clip 5", "per_class 100"
  std::int64_t item_count = 0;
  std::int64_t chunk_size = 0;

  std::int64_t chunk_count() const { return (item_count + chunk_size - 1) / chunk_size; }
};

// Rank 0, before sampling: creates `directory`, or continues the set in it when its manifest has the same identity (a
// core::UserError naming the first difference otherwise, unless `force`, which removes the old set's files first). It
// removes temporaries a killed writer left and shards that fail their checksum (each named in a warning: they are
// redone), writes the manifest (incomplete), and returns the chunks still to do, in order.
std::vector<std::int64_t> prepare_sample_set(const std::filesystem::path& directory, const SampleSetIdentity& identity,
                                             bool force);

// Any rank: writes chunk `chunk`'s refinement statistics (.shard-NNNNNN.npz.stats.json), its clips as its shard,
// atomically, then the shard's checksum (a shard without one is redone).
void write_shard(const std::filesystem::path& directory, std::int64_t chunk, const data::SkeletonDataset& clips,
                 const RefinementStats& refinement);

struct SampleSetSummary {
  std::int64_t clips = 0;
  std::map<std::string, std::int64_t> class_counts;  // by class name
  RefinementStats refinement;                        // over every chunk
};

// Rank 0, when every chunk has its shard: checks each against its checksum, counts clips per class, and writes the
// complete manifest (each shard's file, clip count and CRC-64; the per-class counts; the refinement statistics).
SampleSetSummary complete_sample_set(const std::filesystem::path& directory, const SampleSetIdentity& identity);

}  // namespace skelaug::sampling
