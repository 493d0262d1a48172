#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "skelaug/data/ntu_import.h"
#include "skelaug/data/skeleton_dataset.h"

namespace skelaug::data {

// Importers of the datasets that are published as Python pickles. A small Python script per format
// (data/pickle_formats/, run through run_python_tool) only unpickles and checks the structure; the joint selection,
// labels, ids and the feature-to-joint recovery happen here. Each throws core::UserError naming the file and what
// is wrong with it. docs/data-formats.md describes the layouts.

// HumanAct12 coarse classes, in label order (y = 0..11).
const std::vector<std::string>& humanact12_coarse_classes();
// HumanAct12 fine classes (34), in the order of their action codes A0101..A1202, with those codes.
const std::vector<std::pair<std::string, std::string>>& humanact12_fine_classes();

// humanact12poses.pkl: dict of `poses` (T x 72), `joints3D` (T x 24 x 3), `y` (0-11) -> smpl24 clips with the
// coarse labels; source = "<file>:<index>".
SkeletonDataset import_humanact12(const std::filesystem::path& pickle, double fps);

// NTU-VIBE's 13 actions, as NTU action ids, in label order.
const std::vector<int>& ntu_vibe_actions();

struct NtuVibeImportOptions {
  bool all_people = false;  // every VIBE track of a video as its own body; else the lowest person id only
  NtuSplit split = NtuSplit::kNone;
  double fps = 30;
};

// Per-video joblib files named SsssCcccPpppRrrrAaaa.pkl, each a dict person id -> {pose T x 72, joints3d T x 49 x 3}
// -> vibe18 clips: joints 0-14, 21, 24, 38 of the 49, then joints 0 and 8 swapped (so the mid-hip is the root), as
// Action2Motion and the paper do. Label: the action's place in ntu_vibe_actions(); subject = performer, camera,
// body (the track's place), split and source (the file) per clip.
SkeletonDataset import_ntu_vibe(const std::vector<std::filesystem::path>& files, const NtuVibeImportOptions& options);

// Which class list the hml263 motions' names are labelled with.
enum class Hml263Labels {
  kHumanAct12,  // 34 fine classes, through humanact12_old_new_map.json
  kNtuVibe,     // the 13 NTU-VIBE actions, from the name's trailing Aaaa
};

struct Hml263ImportOptions {
  std::filesystem::path motion_dir;  // holds the .npy motions the split lists name
  std::filesystem::path label_map;   // humanact12_old_new_map.json (kHumanAct12 only)
  Hml263Labels labels = Hml263Labels::kHumanAct12;
  double fps = 20;
};

// The paper's 263-d feature splits: each (split name, pickle) is a pickled list of motion file names in
// motion_dir; each motion (T x 263) becomes an hml22 clip through recover_hml263_joints. split = the split name,
// source = the motion's name. Motions with non-finite features are skipped with a warning (the authors' loader skips
// them too).
SkeletonDataset import_hml263(const std::vector<std::pair<std::string, std::filesystem::path>>& splits,
                              const Hml263ImportOptions& options);

}  // namespace skelaug::data
