// The sampling job as a library function, from a checkpoint written here: the clips it makes (count, labels,
// provenance, exemplars from the generator's training clips only), their determinism item by item whatever the
// batching, the weights it reads, and the sample set it writes, continues, checks and refuses.
#include "skelaug/sampling/sampling_job.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "skelaug/core/config.h"
#include "skelaug/core/config_schema.h"
#include "skelaug/core/error.h"
#include "skelaug/data/data_config.h"
#include "skelaug/data/sample_directory.h"
#include "skelaug/data/dataset_io.h"
#include "skelaug/distributed/mpi_environment.h"
#include "tiny_generator.h"

namespace skelaug::sampling {
namespace {

namespace fs = std::filesystem;

using SamplingJob = testing::TinyGeneratorTest;

TEST_F(SamplingJob, MakesPerClassClipsFromExemplarsOfTheExemplarSplit) {
  const auto generated = generate_clips(options_);
  const auto classes = static_cast<std::int64_t>(dataset_.class_names.size());
  ASSERT_EQ(static_cast<std::int64_t>(generated.size()), 2 * classes);
  EXPECT_EQ(generated.topology, dataset_.topology);
  EXPECT_EQ(generated.fps, dataset_.fps);
  EXPECT_EQ(generated.class_names, dataset_.class_names);
  std::map<std::string, std::size_t> by_source;
  for (std::size_t i = 0; i < dataset_.size(); ++i) by_source[dataset_.info(i).source] = i;
  for (std::size_t i = 0; i < generated.size(); ++i) {
    const auto info = generated.info(i);
    EXPECT_EQ(generated.labels[i], static_cast<std::int64_t>(i / 2));
    EXPECT_EQ(generated.frames(i), 12);
    EXPECT_EQ(info.split, "train");
    const std::string prefix = "generated from ";
    ASSERT_EQ(info.source.rfind(prefix, 0), 0u) << info.source;
    const auto exemplar = by_source.at(info.source.substr(prefix.size()));
    EXPECT_EQ(dataset_.labels[exemplar], generated.labels[i]);
    EXPECT_EQ(dataset_.split[exemplar], "train");  // the generator's training clips: sample.exemplar_split's default
    EXPECT_EQ(info.generation.exemplar, static_cast<std::int64_t>(exemplar));
    EXPECT_EQ(info.generation.seed, item_seed(options_.sample.seed, static_cast<std::int64_t>(i), 0));
    EXPECT_EQ(info.generation.rounds, 0);
  }
}

TEST_F(SamplingJob, ALowDataRunsSamplesUseOnlyExemplarsOfItsSubset) {
  options_.data.fraction = 0.34;  // 1 of the 3 train clips of each class
  options_.data.seed = 3;
  options_.per_class = 0;
  options_.per_clip = 2;
  const auto generated = generate_clips(options_);
  const auto subset = data::training_clips(dataset_, options_.data);
  ASSERT_EQ(generated.size(), 2 * subset.size());
  for (std::size_t i = 0; i < generated.size(); ++i) {
    EXPECT_EQ(generated.gen_exemplar[i], subset[i / 2]);
    EXPECT_EQ(generated.labels[i], dataset_.labels[static_cast<std::size_t>(subset[i / 2])]);
  }
}

TEST_F(SamplingJob, AnItemsClipDependsOnItsIdAloneNotOnItsBatch) {
  options_.sample.generation.dropout = 0.2;  // sampling-time dropout masks are keyed by the item too (on the CPU)
  options_.sample.batch_size = 5;
  const auto batched_by_5 = generate_clips(options_);
  for (const std::int64_t batch : {1, 7, 64}) {
    options_.sample.batch_size = batch;
    const auto other = generate_clips(options_);
    ASSERT_EQ(other.joints.size(), batched_by_5.joints.size());
    double largest = 0;
    for (std::size_t v = 0; v < other.joints.size(); ++v) {
      largest = std::max(largest, static_cast<double>(std::abs(other.joints[v] - batched_by_5.joints[v])));
    }
    // Not always bit-identical: matrix products may block a batch of 1 differently from one of 5.
    EXPECT_LT(largest, 1e-4) << "batch " << batch;
  }
}

TEST_F(SamplingJob, AnotherExemplarSplitCanBeNamed) {
  options_.sample.exemplar_split = "test";
  const auto generated = generate_clips(options_);
  for (std::size_t i = 0; i < generated.size(); ++i) {
    EXPECT_EQ(dataset_.split[static_cast<std::size_t>(generated.gen_exemplar[i])], "test");
  }
}

TEST_F(SamplingJob, TheSameOptionsGiveTheSameClipsAndAnotherSeedOthers) {
  const auto first = generate_clips(options_);
  EXPECT_EQ(first.joints, generate_clips(options_).joints);
  options_.sample.seed = 8;
  EXPECT_NE(first.joints, generate_clips(options_).joints);
}

TEST_F(SamplingJob, ReadsTheNamedWeightsAndNamesTheCheckpointWhenTheyAreMissing) {
  options_.sample.weights = "model";
  try {
    generate_clips(options_);
    FAIL() << "expected a UserError";
  } catch (const core::UserError& error) {
    EXPECT_NE(std::string(error.what()).find("checkpoint.pt: the checkpoint holds no 'model' weights"),
              std::string::npos)
        << error.what();
  }
}

std::string file_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class SampleSet : public SamplingJob {
 protected:
  void SetUp() override {
    SamplingJob::SetUp();
    options_.sample.chunk_size = 4;  // 14 classes x 2 = 28 items: 7 chunks
    config_ = std::make_shared<const core::Config>(launcher_schema(), "test");
    options_.config = config_;
  }
  static core::Schema launcher_schema() {
    core::Schema schema;
    add_sample_config_keys(schema);
    return schema;
  }
  static const distributed::MpiEnvironment& mpi() {
    static distributed::MpiEnvironment environment;
    return environment;
  }
  std::shared_ptr<const core::Config> config_;
};

TEST_F(SampleSet, IsWrittenInShardsThatReadBackAsTheSameClips) {
  const auto output = directory_ / "set";
  const auto run = sample_to_directory(options_, output, false, mpi());
  EXPECT_EQ(run.items, 28);
  EXPECT_EQ(run.chunks, 7);
  EXPECT_EQ(run.chunks_found, 0);
  EXPECT_EQ(run.chunks_written, 7);
  EXPECT_EQ(run.summary.clips, 28);
  EXPECT_EQ(run.summary.class_counts.at(dataset_.class_names[0]), 2);
  EXPECT_TRUE(fs::exists(output / "shard-000006.npz"));
  const auto read = data::load_dataset(output);
  const auto in_memory = generate_clips(options_);  // batched by 5 across chunks: equal to float tolerance
  ASSERT_EQ(read.joints.size(), in_memory.joints.size());
  for (std::size_t v = 0; v < read.joints.size(); ++v) ASSERT_NEAR(read.joints[v], in_memory.joints[v], 1e-4) << v;
  EXPECT_EQ(read.gen_seed, in_memory.gen_seed);
  EXPECT_EQ(read.gen_exemplar, in_memory.gen_exemplar);
  const auto manifest = data::read_sample_manifest(output);
  EXPECT_TRUE(manifest.at("complete").get<bool>());
  EXPECT_EQ(manifest.at("chunks").size(), 7u);
  EXPECT_EQ(manifest.at("items").get<std::string>(), "per_class 2");
}

TEST_F(SampleSet, SamplingAgainSkipsDoneChunksAndRedoesADamagedOne) {
  const auto output = directory_ / "set";
  sample_to_directory(options_, output, false, mpi());
  const auto shard = output / "shard-000003.npz";
  const auto before = file_bytes(shard);
  EXPECT_EQ(sample_to_directory(options_, output, false, mpi()).chunks_written, 0);
  {
    std::fstream damage(shard, std::ios::in | std::ios::out | std::ios::binary);
    damage.seekg(200);
    const char byte = static_cast<char>(damage.get());
    damage.seekp(200);
    damage.put(static_cast<char>(byte ^ 0x5a));
  }
  fs::remove(output / "shard-000005.npz");
  EXPECT_THROW(data::load_dataset(output), core::UserError);  // never merged while damaged
  const auto again = sample_to_directory(options_, output, false, mpi());
  EXPECT_EQ(again.chunks_found, 5);
  EXPECT_EQ(again.chunks_written, 2);
  EXPECT_EQ(file_bytes(shard), before);
}

TEST_F(SampleSet, ADirectoryMadeOtherwiseIsRefusedUnlessForced) {
  const auto output = directory_ / "set";
  sample_to_directory(options_, output, false, mpi());
  auto other = options_;
  other.sample.seed = 8;
  other.config = std::make_shared<const core::Config>(
      core::parse_config(launcher_schema(), "sample:\n  seed: 8\n", "override", "test"));
  try {
    sample_to_directory(other, output, false, mpi());
    FAIL() << "expected a UserError";
  } catch (const core::UserError& error) {
    EXPECT_NE(std::string(error.what()).find("another config (sample.seed)"), std::string::npos) << error.what();
  }
  other.per_class = 3;
  EXPECT_THROW(sample_to_directory(other, output, false, mpi()), core::UserError);
  const auto forced = sample_to_directory(other, output, true, mpi());
  EXPECT_EQ(forced.chunks_found, 0);
  EXPECT_EQ(forced.summary.clips, 42);
}

TEST_F(SampleSet, RefusesADirectoryOfOtherFiles) {
  const auto output = directory_ / "busy";
  fs::create_directories(output);
  std::ofstream(output / "notes.txt") << "mine";
  EXPECT_THROW(sample_to_directory(options_, output, false, mpi()), core::UserError);
  EXPECT_TRUE(fs::exists(output / "notes.txt"));
}

}  // namespace
}  // namespace skelaug::sampling
