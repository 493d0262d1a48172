// `skelaug data import humanact12 | ntu-vibe | hml263`: the datasets published as Python pickles.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>

#include "data_commands.h"
#include "skelaug/core/error.h"
#include "skelaug/data/input_files.h"
#include "skelaug/data/pickle_imports.h"

namespace skelaug::launcher {
namespace {

namespace fs = std::filesystem;

// The command-line spelling of the options, turned into the importers' options when a command runs.
struct PickleOptionText {
  double fps = 0;
  // ntu-vibe
  bool all_people = false;
  std::string split = "none";
  // hml263
  std::string labels = "humanact12";
  std::string motion_dir;
  std::string label_map;
};

data::NtuSplit to_ntu_split(const std::string& text) {
  static const std::map<std::string, data::NtuSplit> kSplits{{"none", data::NtuSplit::kNone},
                                                            {"xsub", data::NtuSplit::kCrossSubject},
                                                            {"xview", data::NtuSplit::kCrossView},
                                                            {"xset", data::NtuSplit::kCrossSetup}};
  return kSplits.at(text);  // CLI11 has already checked the value
}

// The one directory beside `pickle` whose name starts with "new_joint_vecs" (the authors' layout:
// new_joint_vecs_humanact/, new_joint_vecs_vibe/).
fs::path default_motion_dir(const fs::path& pickle) {
  const fs::path folder = pickle.has_parent_path() ? pickle.parent_path() : fs::path(".");
  std::vector<fs::path> found;
  std::error_code error;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    if (it->is_directory() && it->path().filename().string().rfind("new_joint_vecs", 0) == 0) found.push_back(*it);
  }
  if (found.size() != 1) {
    throw core::UserError(fmt::format("{}: {} motion directory (new_joint_vecs*) beside it; give one with --motion-dir",
                                      pickle.string(), found.empty() ? "no" : "more than one"));
  }
  return found.front();
}

// Which split each pickle is: a name containing "test" or "train" says so; otherwise the first is train, the
// second test. Returned train first.
std::vector<std::pair<std::string, fs::path>> hml263_splits(const std::vector<std::string>& inputs) {
  if (inputs.size() > 2) {
    throw core::UserError(fmt::format("hml263 takes one or two split lists (train, test), not {}", inputs.size()));
  }
  std::vector<std::pair<std::string, fs::path>> splits;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const std::string name = fs::path(inputs[i]).filename().string();
    std::string split = i == 0 ? "train" : "test";
    if (name.find("test") != std::string::npos) split = "test";
    if (name.find("train") != std::string::npos) split = "train";
    for (const auto& [other, file] : splits) {
      if (other == split) {
        throw core::UserError(fmt::format("{} and {} are both the {} split", file.string(), inputs[i], split));
      }
    }
    splits.emplace_back(split, inputs[i]);
  }
  // Train clips first, whichever order the lists were given in.
  std::stable_sort(splits.begin(), splits.end(), [](const auto& a, const auto& b) {
    return a.first == "train" && b.first != "train";
  });
  return splits;
}

void add_fps_option(CLI::App* command, double& fps, double default_fps) {
  fps = default_fps;
  command->add_option("--fps", fps, "frame rate to record")->check(CLI::PositiveNumber)->capture_default_str();
}

}  // namespace

void register_import_pickle_formats(CommandRegistry& registry, CLI::App* import_group) {
  {
    auto request = std::make_shared<ImportRequest>();
    auto text = std::make_shared<PickleOptionText>();
    auto* command = add_import_command(
        registry, import_group, "humanact12",
        "HumanAct12's humanact12poses.pkl (SMPL 24-joint positions, 12 coarse classes)", request, [request, text] {
          if (request->inputs.size() != 1) {
            throw core::UserError(fmt::format("humanact12 reads one file (humanact12poses.pkl), not {}",
                                              request->inputs.size()));
          }
          return data::import_humanact12(request->inputs.front(), text->fps);
        });
    // 20 fps: the rate the ACTOR/MDM line of work treats HumanAct12 at (the capture rate is not documented).
    add_fps_option(command, text->fps, 20);
  }
  {
    auto request = std::make_shared<ImportRequest>();
    auto text = std::make_shared<PickleOptionText>();
    auto* command = add_import_command(
        registry, import_group, "ntu-vibe",
        "NTU-VIBE per-video joblib files SsssCcccPpppRrrrAaaa.pkl (18 VIBE joints, 13 NTU actions)", request,
        [request, text] {
          data::NtuVibeImportOptions options;
          options.all_people = text->all_people;
          options.split = to_ntu_split(text->split);
          options.fps = text->fps;
          return data::import_ntu_vibe(data::expand_inputs(request->inputs, {".pkl"}), options);
        });
    command->add_flag("--all-people", text->all_people,
                      "every VIBE track of a video as a body of its own (default: the lowest person id only)");
    command
        ->add_option("--split", text->split,
                     "evaluation split column: xsub (training performers), xview (cameras 2, 3 train), "
                     "xset (even setups train), none")
        ->check(CLI::IsMember({"none", "xsub", "xview", "xset"}))
        ->capture_default_str();
    add_fps_option(command, text->fps, 30);
  }
  {
    auto request = std::make_shared<ImportRequest>();
    auto text = std::make_shared<PickleOptionText>();
    auto* command = add_import_command(
        registry, import_group, "hml263",
        "The paper's 263-d HumanML3D feature splits, e.g. 48_train.pkl [48_test.pkl] (22 joints recovered)", request,
        [request, text] {
          const auto splits = hml263_splits(request->inputs);
          const fs::path first = splits.front().second;
          data::Hml263ImportOptions options;
          options.labels = text->labels == "ntu-vibe" ? data::Hml263Labels::kNtuVibe : data::Hml263Labels::kHumanAct12;
          options.motion_dir = text->motion_dir.empty() ? default_motion_dir(first) : fs::path(text->motion_dir);
          options.label_map = !text->label_map.empty() ? fs::path(text->label_map)
                              : first.has_parent_path() ? first.parent_path() / "humanact12_old_new_map.json"
                                                        : fs::path("humanact12_old_new_map.json");
          options.fps = text->fps;
          return data::import_hml263(splits, options);
        });
    command
        ->add_option("--labels", text->labels,
                     "humanact12: 34 fine classes through the label map; ntu-vibe: 13 actions from the name's Aaaa")
        ->check(CLI::IsMember({"humanact12", "ntu-vibe"}))
        ->capture_default_str();
    command->add_option("--motion-dir", text->motion_dir,
                        "directory of the .npy motions the lists name (default: the new_joint_vecs* beside them)");
    command->add_option("--label-map", text->label_map,
                        "HumanAct12's name map (default: humanact12_old_new_map.json beside the lists)");
    add_fps_option(command, text->fps, 20);
  }
}

}  // namespace skelaug::launcher
