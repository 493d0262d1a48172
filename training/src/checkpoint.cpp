#include "skelaug/training/checkpoint.h"

#include <fmt/format.h>
#include <torch/serialize.h>

#include <algorithm>
#include <regex>

#include "skelaug/core/atomic_file.h"
#include "skelaug/core/error.h"
#include "skelaug/core/file_checksum.h"
#include "skelaug/core/file_writer.h"
#include "skelaug/core/logging.h"
#include "skelaug/models/checkpoint_weights.h"

namespace skelaug::training {
namespace {

// What a writer killed mid-write leaves: AtomicFile temporaries of a checkpoint or of its checksum.
const std::regex kTemporaryName(R"(\.?checkpoint-\d{9}\.pt(\.crc64)?\.tmp-\d+)");
// A checkpoint's checksum file (core::checksum_path), with the checkpoint's name in group 1.
const std::regex kChecksumName(R"(\.(checkpoint-\d{9}\.pt)\.crc64)");

}  // namespace

CheckpointStore::CheckpointStore(std::filesystem::path directory, int keep)
    : directory_(std::move(directory)), keep_(std::max(1, keep)) {}

std::vector<std::filesystem::path> CheckpointStore::list() const { return models::list_checkpoints(directory_); }

std::optional<std::filesystem::path> CheckpointStore::latest() const {
  const auto all = list();
  if (all.empty()) return std::nullopt;
  return all.back();
}

void CheckpointStore::save(const CheckpointContents& contents, const TrainingState& state) const {
  std::filesystem::create_directories(directory_);
  torch::serialize::OutputArchive archive;
  torch::serialize::OutputArchive model_archive;
  contents.model->save(model_archive);
  archive.write(models::kModelWeights, model_archive);
  if (contents.optimizer != nullptr) {
    torch::serialize::OutputArchive optimizer_archive;
    contents.optimizer->save(optimizer_archive);
    archive.write("optimizer", optimizer_archive);
  }
  if (contents.ema != nullptr) {
    torch::serialize::OutputArchive ema_archive;
    contents.ema->save(ema_archive);
    archive.write(models::kEmaWeights, ema_archive);
  }
  archive.write("state", torch::tensor({state.epoch, state.step_in_epoch, state.global_step}, torch::kLong));

  const auto target = directory_ / fmt::format("checkpoint-{:09d}.pt", state.global_step);
  core::AtomicFile file(target);
  try {
    core::FileWriter writer(file.temp_path());  // a full disk is reported by finish(), never inside LibTorch
    archive.save_to([&writer](const void* data, std::size_t size) { return writer.write(data, size); });
    writer.finish();
  } catch (const c10::Error& e) {
    throw std::runtime_error(
        fmt::format("{}: cannot write the checkpoint: {}", target.string(), e.what_without_backtrace()));
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(fmt::format("{}: cannot write the checkpoint: {}", target.string(), e.what()));
  }
  // The checksum gets its final name first: a checkpoint under its final name always has one, and a writer killed in
  // between leaves only a checksum without its checkpoint, which remove_temporaries() clears.
  core::write_checksum(target, core::file_crc64(file.temp_path()));
  file.commit();

  auto all = list();
  while (static_cast<int>(all.size()) > keep_) {
    std::filesystem::remove(all.front());
    std::filesystem::remove(core::checksum_path(all.front()));
    all.erase(all.begin());
  }
}

std::vector<std::filesystem::path> CheckpointStore::remove_temporaries() const {
  std::vector<std::filesystem::path> removed;
  std::error_code error;
  for (std::filesystem::directory_iterator it(directory_, error), end; !error && it != end; it.increment(error)) {
    const auto name = it->path().filename().string();
    std::smatch checksum;
    const bool orphan_checksum = std::regex_match(name, checksum, kChecksumName) &&
                                 !std::filesystem::exists(it->path().parent_path() / checksum[1].str());
    if (std::regex_match(name, kTemporaryName) || orphan_checksum) removed.push_back(it->path());
  }
  for (const auto& path : removed) std::filesystem::remove(path);
  return removed;
}

std::optional<CheckpointStore::Resumed> CheckpointStore::load_newest_valid(const CheckpointContents& contents) const {
  const auto all = list();
  std::vector<std::string> failures;
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    std::string detail;
    try {
      const auto status = core::verify_checksum(*it, &detail);
      if (status == core::ChecksumStatus::kMismatch) throw core::UserError(fmt::format("{}: damaged: {}", it->string(), detail));
      if (status == core::ChecksumStatus::kMissing) {
        SKELAUG_LOG(kWarning) << fmt::format("{}: no checksum (written by an older skelaug): loading it unverified",
                                             it->string());
      }
      return Resumed{*it, load(*it, contents), failures};
    } catch (const std::exception& error) {
      // Never silently: the newest checkpoints that failed are reported, and an older one is tried.
      SKELAUG_LOG(kWarning) << fmt::format("cannot resume from {} ({}); trying the one before it", it->string(),
                                           error.what());
      failures.push_back(error.what());
    }
  }
  if (!all.empty()) {
    throw core::UserError(fmt::format("{}: none of the {} checkpoints can be loaded; the newest: {}",
                                      directory_.string(), all.size(), failures.front()));
  }
  return std::nullopt;
}

TrainingState CheckpointStore::load(const std::filesystem::path& file, const CheckpointContents& contents) const {
  try {
    // Onto the model's device (models::load_checkpoint_weights says why); the optimizer's state and the average
    // follow the model.
    torch::serialize::InputArchive archive;
    archive.load_from(file.string(), models::module_device(*contents.model));
    torch::serialize::InputArchive model_archive;
    archive.read(models::kModelWeights, model_archive);
    contents.model->load(model_archive);
    if (contents.optimizer != nullptr) {
      torch::serialize::InputArchive optimizer_archive;
      archive.read("optimizer", optimizer_archive);
      contents.optimizer->load(optimizer_archive);
    }
    if (contents.ema != nullptr) {
      torch::serialize::InputArchive ema_archive;
      archive.read(models::kEmaWeights, ema_archive);
      contents.ema->load(ema_archive);
    }
    torch::Tensor state;
    archive.read("state", state);
    const auto values = state.to(torch::kLong).contiguous();
    return {values[0].item<std::int64_t>(), values[1].item<std::int64_t>(), values[2].item<std::int64_t>()};
  } catch (const c10::Error& e) {
    throw core::UserError(fmt::format("{}: cannot resume from this checkpoint: {}", file.string(),
                                      e.what_without_backtrace()));
  }
}

}  // namespace skelaug::training
