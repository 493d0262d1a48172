#pragma once

#include <torch/nn/module.h>

#include <filesystem>
#include <string>
#include <vector>

namespace skelaug::models {

// A skelaug checkpoint is a LibTorch archive with named parts: the weights of the trained network under "model", the
// exponential moving average of them under "ema" (generators), and the training loop's "optimizer" and "state"
// (skelaug::training writes them). Sampling and evaluation need only a network's weights, read here.
inline constexpr const char* kModelWeights = "model";
inline constexpr const char* kEmaWeights = "ema";

// Where `module`'s parameters (else buffers) live; the CPU for a module with neither. Checkpoints load onto it.
torch::Device module_device(const torch::nn::Module& module);

// Loads the weights saved under `part` (kModelWeights or kEmaWeights) of checkpoint `file` into `module`, onto the
// module's own device whatever device the weights were saved from (a GPU run's checkpoint loads on a CPU machine, and
// a rank resumes on its own GPU, not on the one that saved). A core::UserError naming the file when it is missing,
// fails its checksum (<file>.crc64, when there is one), lacks the part, or its weights do not fit the module.
void load_checkpoint_weights(const std::filesystem::path& file, const std::string& part, torch::nn::Module& module);

// The checkpoints in `directory` (checkpoint-<global step, 9 digits>.pt), oldest first; none if it does not exist.
std::vector<std::filesystem::path> list_checkpoints(const std::filesystem::path& directory);

// What a user may name as "a checkpoint": a file is itself; a directory means its newest checkpoint, or, for a run
// directory, the newest in its checkpoints/ (a recogniser run's best weights: RUN/best). A core::UserError naming the
// path when it is neither a file nor a directory holding one.
std::filesystem::path resolve_checkpoint(const std::filesystem::path& path);

// A finished run's final weights: the newest checkpoint in RUN/checkpoints. Not RUN/best: those weights are chosen on
// the run's held-out clips, which in a study are the test split, and whatever is built on them (a filter of generated
// clips, a pretrained start) would carry a choice made on the test split. A core::UserError naming `key` (the config
// key that named the run) and the directory when it holds no checkpoint.
std::filesystem::path final_checkpoint(const std::filesystem::path& run_directory, const std::string& key);

}  // namespace skelaug::models
