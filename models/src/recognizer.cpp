#include "skelaug/models/recognizer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <functional>
#include <stdexcept>

#include "recognizer_factories.h"

namespace skelaug::models {
namespace {

using Factory = std::function<std::shared_ptr<RecognizerImpl>(const RecognizerOptions&)>;

// In the order recognizer_architectures() lists them.
const std::vector<std::pair<std::string, Factory>>& factories() {
  static const std::vector<std::pair<std::string, Factory>> all = {
      {"stgcn_pp", make_stgcn_pp}, {"ctrgcn", make_ctrgcn}, {"msg3d", make_msg3d},
      {"blockgcn", make_blockgcn}, {"a2m_gru", make_a2m_gru},
  };
  return all;
}

}  // namespace

std::shared_ptr<RecognizerImpl> make_recognizer(const RecognizerOptions& options) {
  // Sizes that no architecture can build from; the topology name is checked by data::topology() in each model.
  if (options.streams.empty() || options.num_classes < 1 || options.num_bodies < 1 || options.base_channels < 1 ||
      options.stages < 1 || options.dropout < 0.0 || options.dropout >= 1.0) {
    throw std::invalid_argument(fmt::format(
        "recognizer options: need at least one stream and num_classes, num_bodies, base_channels, stages >= 1, "
        "dropout in [0, 1) (got {} streams, {} classes, {} bodies, {} channels, {} stages, dropout {})",
        options.streams.size(), options.num_classes, options.num_bodies, options.base_channels, options.stages,
        options.dropout));
  }
  for (const auto& [name, factory] : factories()) {
    if (name == options.architecture) return factory(options);
  }
  throw std::invalid_argument(fmt::format("unknown recognizer architecture '{}' (known: {})", options.architecture,
                                          fmt::join(recognizer_architectures(), ", ")));
}

std::vector<std::string> recognizer_architectures() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : factories()) names.push_back(name);
  return names;
}

}  // namespace skelaug::models
