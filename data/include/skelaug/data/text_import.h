#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "skelaug/data/skeleton_dataset.h"

namespace skelaug::data {

// Import of plain-text skeleton files, one clip per file: the many small Kinect-era datasets (MSR Action3D, UTKinect,
// Florence 3D, ...) and users' own exports.

enum class TextLayout {
  kJointRows,  // one row per joint, the topology's joints in the file's order, frame after frame
  kFrameRows,  // one row per frame: every joint's columns, joint after joint
};

// The meaning of a joint's columns: x, y and z once each; `c` (a confidence, which the dataset has no place for) and
// `_` are read past.
struct TextColumns {
  int count = 3;
  int x = 0, y = 1, z = 2;
};
// From "x,y,z[,c,_...]"; core::UserError naming --columns otherwise.
TextColumns parse_text_columns(const std::string& spec);

struct TextFormat {
  TextLayout layout = TextLayout::kJointRows;
  TextColumns columns;
  char delimiter = 0;   // 0: any run of spaces and tabs; otherwise this character (e.g. ',')
  int joints = 0;       // joints per frame
  std::vector<int> file_joint;  // the topology's joint i is the file's joint file_joint[i] (topology_file.h)
  double scale = 1;     // file units to metres
  int up_axis = 1;      // the file's vertical axis (0 x, 1 y, 2 z); clips are stored y-up
};

// One clip of a text file: frames x joints x 3 (topology order, metres, y-up), and how many frames were dropped
// because every joint was at zero (the Kinect's "not tracked"). Blank lines and lines starting with '#' are skipped.
// Throws core::UserError "<where>:<line>: ..." for a malformed line: a wrong column count, a value that is not a
// finite number, rows that stop mid-frame.
struct TextClip {
  std::vector<float> joints;
  std::int64_t frames = 0;
  std::int64_t dropped_frames = 0;
};
TextClip parse_skeleton_text(const std::string& text, const TextFormat& format, const std::string& where);

// What a file's name says: `pattern` with {label}, {subject} and {repetition} fields (e.g.
// "a{label}_s{subject}_e{repetition}_skeleton3D.txt"); the other characters must match exactly.
struct TextFileName {
  std::string label;
  std::int64_t subject = -1;
  std::int64_t repetition = -1;
};
// core::UserError naming the file when its name does not match the pattern (or a {subject} is not a number).
TextFileName parse_text_file_name(const std::string& file_name, const std::string& pattern);

struct TextImportOptions {
  std::string topology;       // required: a topology name or file (topology_file.h)
  TextLayout layout = TextLayout::kJointRows;
  std::string columns = "x,y,z";
  std::string delimiter;      // "": whitespace; one character otherwise
  double scale = 1;
  std::string up;             // "x", "y", "z" or "" (the topology's)
  double fps = 0;             // required
  std::string name_pattern;   // required: where the label (and subject, repetition) come from
  std::string label_map;      // optional YAML: label field value -> class name
  std::set<std::int64_t> train_subjects;  // when given: these subjects' clips are `train`, the others' `test`
};

// Reads every file into one dataset on the topology: classes in the order of their label values (numerically when
// every value is a number), subject per clip, split by subject when asked, source = the file. A file with no frame
// left is skipped with a warning naming it, and so are files whose name the pattern does not match (a README beside
// the recordings; an error when no name matches); the frames dropped are counted in the log. core::UserError naming
// the file (and line) for a malformed file or an option that does not fit.
SkeletonDataset import_text_files(const std::vector<std::filesystem::path>& files, const TextImportOptions& options);

}  // namespace skelaug::data
