#include "skelaug/models/checkpoint_weights.h"

#include <fmt/format.h>
#include <torch/serialize.h>

#include "skelaug/core/error.h"
#include "skelaug/core/file_checksum.h"

namespace skelaug::models {

void load_checkpoint_weights(const std::filesystem::path& file, const std::string& part, torch::nn::Module& module) {
  if (!std::filesystem::is_regular_file(file)) {
    throw core::UserError(fmt::format("{}: checkpoint not found", file.string()));
  }
  std::string detail;
  if (core::verify_checksum(file, &detail) == core::ChecksumStatus::kMismatch) {
    throw core::UserError(fmt::format("{}: damaged checkpoint: {}", file.string(), detail));
  }
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(file.string());
    torch::serialize::InputArchive weights;
    if (!archive.try_read(part, weights)) {
      throw core::UserError(fmt::format("{}: the checkpoint holds no '{}' weights", file.string(), part));
    }
    module.load(weights);
  } catch (const c10::Error& e) {
    throw core::UserError(fmt::format("{}: cannot load the '{}' weights: {}", file.string(), part,
                                      e.what_without_backtrace()));
  }
}

}  // namespace skelaug::models
