#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "skelaug/data/ntu_skeleton.h"
#include "skelaug/data/skeleton_dataset.h"

namespace skelaug::data {

// Which bodies of a recording become clips.
enum class NtuBodies {
  kMain,  // one clip per recording: the body with the most motion (body_motion)
  kBoth,  // one clip per body, most motion first (ClipInfo.body 0, 1, ...), at most max_bodies of them
};

// Which standard evaluation split each clip is assigned to ("train" / "test").
enum class NtuSplit {
  kNone,          // no split column
  kCrossSubject,  // xsub: the training performers of NTU RGB+D 120 (which contain NTU RGB+D 60's, see below)
  kCrossView,     // xview: cameras 2 and 3 train, camera 1 tests (an NTU RGB+D 60 protocol)
  kCrossSetup,    // xset: even setup ids train, odd ones test (the NTU RGB+D 120 protocol)
};

struct NtuImportOptions {
  NtuBodies bodies = NtuBodies::kMain;
  NtuSplit split = NtuSplit::kNone;
  int max_bodies = 2;  // with kBoth; NTU recordings show at most two actors, further bodies are mis-detections
  int classes = 0;     // 60 or 120 class names; 0: 60 if every file's action is <= 60, else 120
};

// The official NTU RGB+D 120 action names: ntu_action_names()[a - 1] names action Aaaa. The first 60 are NTU RGB+D
// 60's classes.
const std::vector<std::string>& ntu_action_names();

// Cross-subject training performers. NTU RGB+D 120's list extends NTU RGB+D 60's (performers 1-40 are the same in
// both, and NTU 60 has no performer above 40), so one list serves both protocols.
bool ntu_is_training_performer(int performer);

// "train" or "test" for a recording under `split`; "" for kNone.
std::string ntu_split_of(const NtuRecordingName& name, NtuSplit split);

// Reads every file into one dataset on the ntu25 topology at 30 fps: label = action - 1, subject = performer,
// camera, body, split and source (the file path) per clip. Recordings in which no body was tracked give no clip (a
// warning is logged); the first bad file throws core::UserError naming it and the line.
SkeletonDataset import_ntu_skeletons(const std::vector<std::filesystem::path>& files, const NtuImportOptions& options);

}  // namespace skelaug::data
