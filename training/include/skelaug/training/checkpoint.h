#pragma once

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace skelaug::training {

// Where a run stands; restoring it with the model and optimiser makes a resumed run continue exactly as if it had
// not stopped: the loader's batches depend only on (seed, epoch, step_in_epoch), and the trainer reseeds LibTorch's
// generator from (seed, global_step, rank) before every step, so no other random state needs saving.
struct TrainingState {
  std::int64_t epoch = 0;
  std::int64_t step_in_epoch = 0;  // batches of `epoch` already consumed
  std::int64_t global_step = 0;    // optimiser steps taken
};

// What a checkpoint holds besides the state. The EMA model is optional.
struct CheckpointContents {
  torch::nn::Module* model = nullptr;
  torch::optim::Optimizer* optimizer = nullptr;
  torch::nn::Module* ema = nullptr;
};

// Checkpoints of one run: <dir>/checkpoint-<global step, 9 digits>.pt, each written whole to a temporary name and
// renamed (a crash mid-write leaves the previous ones intact), with its CRC-64 beside it (the hidden
// .checkpoint-<step>.pt.crc64, given its final name before the checkpoint is), the newest `keep` kept. Written by rank 0; read by
// every rank. The parts of the file are described in skelaug/models/checkpoint_weights.h, which reads the weights
// alone (for sampling and evaluation).
class CheckpointStore {
 public:
  CheckpointStore(std::filesystem::path directory, int keep);

  void save(const CheckpointContents& contents, const TrainingState& state) const;
  // The newest complete checkpoint, if any.
  std::optional<std::filesystem::path> latest() const;
  // Restores model, optimiser and EMA and returns the training state. Throws
  // core::UserError naming the file if it is unreadable or does not fit the model.
  TrainingState load(const std::filesystem::path& file, const CheckpointContents& contents) const;
  std::vector<std::filesystem::path> list() const;  // oldest first
  const std::filesystem::path& directory() const { return directory_; }

  // Resuming: the newest checkpoint that passes its checksum and loads, restored into `contents`. Each newer one that
  // fails is logged as a warning naming it and why, and listed in `skipped`; none at all is nullopt; checkpoints of
  // which none loads are a UserError naming the directory and the newest failure (a run never silently starts over).
  struct Resumed {
    std::filesystem::path file;
    TrainingState state;
    std::vector<std::string> skipped;
  };
  std::optional<Resumed> load_newest_valid(const CheckpointContents& contents) const;
  // Removes what writers killed mid-write left behind (temporaries, a checksum without its checkpoint); returns them.
  std::vector<std::filesystem::path> remove_temporaries() const;

 private:
  std::filesystem::path directory_;
  int keep_;
};

}  // namespace skelaug::training
