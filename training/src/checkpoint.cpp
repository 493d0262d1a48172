#include "skelaug/training/checkpoint.h"

#include <fmt/format.h>
#include <torch/serialize.h>

#include <algorithm>
#include <regex>

#include "skelaug/core/atomic_file.h"
#include "skelaug/core/error.h"
#include "skelaug/models/checkpoint_weights.h"

namespace skelaug::training {
namespace {

const std::regex kCheckpointName(R"(checkpoint-(\d{9})\.pt)");

}  // namespace

CheckpointStore::CheckpointStore(std::filesystem::path directory, int keep)
    : directory_(std::move(directory)), keep_(std::max(1, keep)) {}

std::vector<std::filesystem::path> CheckpointStore::list() const {
  std::vector<std::filesystem::path> found;
  std::error_code error;
  for (std::filesystem::directory_iterator it(directory_, error), end; !error && it != end; it.increment(error)) {
    const auto name = it->path().filename().string();
    if (std::regex_match(name, kCheckpointName)) found.push_back(it->path());
  }
  std::sort(found.begin(), found.end());  // zero-padded steps sort by name
  return found;
}

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
  archive.save_to(file.temp_path().string());
  file.commit();

  auto all = list();
  while (static_cast<int>(all.size()) > keep_) {
    std::filesystem::remove(all.front());
    all.erase(all.begin());
  }
}

TrainingState CheckpointStore::load(const std::filesystem::path& file, const CheckpointContents& contents) const {
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(file.string());
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
