#include "skelaug/models/checkpoint_weights.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/serialize.h>

#include <algorithm>
#include <regex>

#include "skelaug/core/error.h"
#include "skelaug/core/file_checksum.h"
#include "skelaug/core/run_directory.h"

namespace skelaug::models {

torch::Device module_device(const torch::nn::Module& module) {
  for (const auto& parameter : module.parameters()) return parameter.device();
  for (const auto& buffer : module.buffers()) return buffer.device();
  return torch::kCPU;
}

void load_checkpoint_weights(const std::filesystem::path& file, const std::string& part, torch::nn::Module& module) {
  if (!std::filesystem::is_regular_file(file)) {
    throw core::UserError(fmt::format("{}: checkpoint not found", file.string()));
  }
  std::string detail;
  if (core::verify_checksum(file, &detail) == core::ChecksumStatus::kMismatch) {
    throw core::UserError(fmt::format("{}: damaged checkpoint: {}", file.string(), detail));
  }
  try {
    // Read straight onto the module's device: LibTorch would otherwise put each tensor on the device it was saved
    // from and then move the module's parameters there.
    torch::serialize::InputArchive archive;
    archive.load_from(file.string(), module_device(module));
    torch::serialize::InputArchive weights;
    if (!archive.try_read(part, weights)) {
      throw core::UserError(fmt::format("{}: the checkpoint holds no '{}' weights", file.string(), part));
    }
    // Module::load replaces each tensor by the saved one, shape and all, without comparing them: a checkpoint of
    // another width would load "successfully" into a network it does not fit. The shapes are compared afterwards.
    std::vector<std::pair<std::string, std::vector<std::int64_t>>> shapes;
    for (const auto& item : module.named_parameters()) shapes.emplace_back(item.key(), item.value().sizes().vec());
    for (const auto& item : module.named_buffers()) shapes.emplace_back(item.key(), item.value().sizes().vec());
    module.load(weights);
    const auto parameters = module.named_parameters();
    const auto buffers = module.named_buffers();
    for (const auto& [name, expected] : shapes) {
      const auto* loaded = parameters.find(name);
      if (loaded == nullptr) loaded = buffers.find(name);
      if (loaded != nullptr && loaded->sizes().vec() != expected) {
        throw core::UserError(fmt::format("{}: the '{}' weights do not fit this network: {} is [{}] there, [{}] here",
                                          file.string(), part, name, fmt::join(loaded->sizes(), ", "),
                                          fmt::join(expected, ", ")));
      }
    }
  } catch (const c10::Error& e) {
    throw core::UserError(fmt::format("{}: cannot load the '{}' weights: {}", file.string(), part,
                                      e.what_without_backtrace()));
  }
}

std::vector<std::filesystem::path> list_checkpoints(const std::filesystem::path& directory) {
  static const std::regex name_pattern(R"(checkpoint-\d{9}\.pt)");
  std::vector<std::filesystem::path> found;
  std::error_code error;
  for (std::filesystem::directory_iterator it(directory, error), end; !error && it != end; it.increment(error)) {
    if (std::regex_match(it->path().filename().string(), name_pattern)) found.push_back(it->path());
  }
  std::sort(found.begin(), found.end());  // zero-padded steps sort by name
  return found;
}

std::filesystem::path resolve_checkpoint(const std::filesystem::path& path) {
  if (std::filesystem::is_regular_file(path)) return path;
  if (!std::filesystem::is_directory(path)) {
    throw core::UserError(fmt::format("{}: checkpoint not found (no such file or directory)", path.string()));
  }
  for (const auto& directory : {path, core::RunDirectory(path).checkpoints_folder()}) {
    if (const auto found = list_checkpoints(directory); !found.empty()) return found.back();
  }
  throw core::UserError(fmt::format("{}: holds no checkpoint (checkpoint-<step>.pt), nor does its checkpoints/",
                                    path.string()));
}

std::filesystem::path final_checkpoint(const std::filesystem::path& run_directory, const std::string& key) {
  const auto folder = core::RunDirectory(run_directory).checkpoints_folder();
  const auto found = list_checkpoints(folder);
  if (found.empty()) {
    throw core::UserError(fmt::format("{}: {} holds no checkpoint (a finished run's final weights are needed)", key,
                                      folder.string()));
  }
  return found.back();
}

}  // namespace skelaug::models
