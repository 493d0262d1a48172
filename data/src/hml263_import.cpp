// The paper's HumanML3D-style 263-d feature splits (48_train.pkl / 48_test.pkl) -> hml22 dataset.
#include <fmt/format.h>

#include <algorithm>

#include "python_tool.h"
#include "skelaug/core/error.h"
#include "skelaug/core/logging.h"
#include "skelaug/data/hml263_features.h"
#include "skelaug/data/npz.h"
#include "skelaug/data/pickle_imports.h"
#include "temporary_directory.h"

namespace skelaug::data {
namespace {

// The action code a motion's (label source) name ends with: "A0101" (HumanAct12, 5 characters) or "A006" (NTU, 4),
// taken from the file stem as the authors' loaders do.
std::string action_code(const std::string& name, std::size_t length) {
  std::string stem = std::filesystem::path(name).filename().string();
  const auto dot = stem.find('.');
  if (dot != std::string::npos) stem.resize(dot);
  return stem.size() >= length ? stem.substr(stem.size() - length) : stem;
}

struct ClassTable {
  std::vector<std::string> names;
  std::vector<std::string> codes;  // codes[c] is class c's action code
  std::size_t code_length = 0;
};

ClassTable class_table(Hml263Labels labels) {
  ClassTable table;
  if (labels == Hml263Labels::kHumanAct12) {
    for (const auto& [code, name] : humanact12_fine_classes()) {
      table.codes.push_back(code);
      table.names.push_back(name);
    }
    table.code_length = 5;
  } else {
    const auto& all_names = ntu_action_names();
    for (const int action : ntu_vibe_actions()) {
      table.codes.push_back(fmt::format("A{:03}", action));
      table.names.push_back(all_names.at(static_cast<std::size_t>(action - 1)));
    }
    table.code_length = 4;
  }
  return table;
}

}  // namespace

SkeletonDataset import_hml263(const std::vector<std::pair<std::string, std::filesystem::path>>& splits,
                              const Hml263ImportOptions& options) {
  TemporaryDirectory scratch("skelaug-hml263-");
  const auto raw_file = scratch.path() / "raw.npz";
  std::vector<std::string> arguments{raw_file.string(), options.motion_dir.string(),
                                     options.labels == Hml263Labels::kHumanAct12 ? options.label_map.string() : "-"};
  for (const auto& [split, pickle] : splits) arguments.push_back(split + "=" + pickle.string());
  run_python_tool("hml263.py", arguments);
  const auto raw = read_npz(raw_file);

  const auto features = raw.at("features").to_float32();
  const auto offsets = raw.at("offsets").to_int64();
  const auto split_of = raw.at("split").to_strings();
  const auto names = raw.at("name").to_strings();
  const auto label_sources = raw.at("label_source").to_strings();
  const auto skipped = raw.at("skipped").to_strings();

  const auto table = class_table(options.labels);
  SkeletonDataset dataset;
  dataset.topology = "hml22";
  dataset.fps = options.fps;
  dataset.class_names = table.names;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto code = action_code(label_sources[i], table.code_length);
    const auto found = std::find(table.codes.begin(), table.codes.end(), code);
    if (found == table.codes.end()) {
      const std::string via = label_sources[i] == names[i] ? "" : fmt::format(" (originally {})", label_sources[i]);
      throw core::UserError(fmt::format("{}: motion '{}'{}: action code '{}' is not one of the {} {} classes",
                                        options.motion_dir.string(), names[i], via, code, table.codes.size(),
                                        options.labels == Hml263Labels::kHumanAct12 ? "HumanAct12 fine" : "NTU-VIBE"));
    }
    const std::int64_t frames = offsets[i + 1] - offsets[i];
    const auto joints = recover_hml263_joints(features.data() + offsets[i] * hml263::kFeatures, frames);
    ClipInfo info;
    info.split = split_of[i];
    info.source = names[i];
    dataset.add_clip(joints.data(), frames, found - table.codes.begin(), info);
  }
  if (!skipped.empty()) {
    SKELAUG_LOG(kWarning) << fmt::format("skipped {} motion(s) with non-finite features (as the authors' loader does), "
                                         "e.g. {}",
                                         skipped.size(), skipped.front());
  }
  dataset.validate(splits.front().second.string());
  return dataset;
}

}  // namespace skelaug::data
