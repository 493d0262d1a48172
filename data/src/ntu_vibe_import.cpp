// NTU-VIBE: per-video VIBE joblib files -> vibe18 dataset.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <stdexcept>

#include "python_tool.h"
#include "skelaug/core/error.h"
#include "skelaug/data/npz.h"
#include "skelaug/data/pickle_imports.h"
#include "temporary_directory.h"

namespace skelaug::data {
namespace {

constexpr int kVibeJoints = 49;
constexpr int kKeptJoints = 18;

// Which of VIBE's 49 joints each vibe18 joint is: joints 0-14, 21, 24 and 38 (Action2Motion's
// kinect_vibe_extract_joints), then the first and the ninth swapped so that joint 0 is the mid-hip (VIBE's 8) and the
// skeleton's root, as Action2Motion and the paper do.
std::array<int, kKeptJoints> vibe18_source_joints() {
  std::array<int, kKeptJoints> kept{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 21, 24, 38};
  std::swap(kept[0], kept[8]);
  return kept;
}

}  // namespace

const std::vector<int>& ntu_vibe_actions() {
  static const std::vector<int> actions{6, 7, 8, 9, 22, 23, 24, 38, 80, 93, 99, 100, 102};
  return actions;
}

SkeletonDataset import_ntu_vibe(const std::vector<std::filesystem::path>& files, const NtuVibeImportOptions& options) {
  // The names first: a misnamed file or a foreign action stops the import before any pickle is read.
  const auto& actions = ntu_vibe_actions();
  std::vector<NtuRecordingName> names;
  std::vector<std::int64_t> file_labels;
  for (const auto& file : files) {
    names.push_back(parse_ntu_name(file));
    const auto found = std::find(actions.begin(), actions.end(), names.back().action);
    if (found == actions.end()) {
      throw core::UserError(fmt::format("{}: action A{:03} is not one of NTU-VIBE's 13 actions ({})", file.string(),
                                        names.back().action, fmt::join(actions, ", ")));
    }
    file_labels.push_back(found - actions.begin());
  }

  TemporaryDirectory scratch("skelaug-ntu-vibe-");
  // The paths go through a NUL-separated list file: any name is safe, and thousands do not crowd the command line.
  std::string list;
  for (const auto& file : files) list += file.string() + '\0';
  const auto list_file = scratch.path() / "inputs.list";
  {
    std::FILE* out = std::fopen(list_file.c_str(), "wb");
    if (out == nullptr || std::fwrite(list.data(), 1, list.size(), out) != list.size() || std::fclose(out) != 0) {
      throw std::runtime_error(fmt::format("cannot write {}", list_file.string()));
    }
  }
  const auto raw_file = scratch.path() / "raw.npz";
  std::vector<std::string> arguments{list_file.string(), raw_file.string()};
  if (options.all_people) arguments.push_back("--all-people");
  run_python_tool("ntu_vibe.py", arguments);
  const auto raw = read_npz(raw_file);

  const auto joints = raw.at("joints").to_float32();
  const auto offsets = raw.at("offsets").to_int64();
  const auto file_index = raw.at("file_index").to_int64();
  const auto body = raw.at("body").to_int64();

  SkeletonDataset dataset;
  dataset.topology = "vibe18";
  dataset.fps = options.fps;
  const auto& all_names = ntu_action_names();
  for (const int action : actions) dataset.class_names.push_back(all_names.at(static_cast<std::size_t>(action - 1)));

  const auto source_joints = vibe18_source_joints();
  std::vector<float> clip;
  for (std::size_t i = 0; i < file_index.size(); ++i) {
    const auto f = static_cast<std::size_t>(file_index[i]);
    const std::int64_t frames = offsets[i + 1] - offsets[i];
    clip.resize(static_cast<std::size_t>(frames) * kKeptJoints * 3);
    for (std::int64_t t = 0; t < frames; ++t) {
      const float* from = joints.data() + (offsets[i] + t) * kVibeJoints * 3;
      float* to = clip.data() + t * kKeptJoints * 3;
      for (int j = 0; j < kKeptJoints; ++j) std::copy_n(from + source_joints[j] * 3, 3, to + j * 3);
    }
    ClipInfo info;
    info.subject = names[f].performer;
    info.camera = names[f].camera;
    if (options.all_people) info.body = body[i];
    info.split = ntu_split_of(names[f], options.split);
    info.source = files[f].string();
    dataset.add_clip(clip.data(), frames, file_labels[f], info);
  }
  dataset.validate(files.size() == 1 ? files.front().string() : "NTU-VIBE import");
  return dataset;
}

}  // namespace skelaug::data
