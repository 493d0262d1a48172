#include "skelaug/data/text_import.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <regex>
#include <sstream>

#include "skelaug/core/error.h"
#include "skelaug/core/text_file.h"
#include "skelaug/core/logging.h"
#include "skelaug/data/frame_limits.h"
#include "skelaug/data/topology.h"
#include "skelaug/data/topology_file.h"
#include "yaml_file.h"

namespace skelaug::data {
namespace {

// The fields of one line: split at `delimiter`, or at runs of spaces and tabs when it is 0.
std::vector<std::string_view> fields_of(std::string_view line, char delimiter) {
  std::vector<std::string_view> fields;
  if (delimiter == 0) {
    std::size_t at = 0;
    while (true) {
      at = line.find_first_not_of(" \t", at);
      if (at == std::string_view::npos) break;
      const auto end = std::min(line.find_first_of(" \t", at), line.size());
      fields.push_back(line.substr(at, end - at));
      at = end;
    }
    return fields;
  }
  std::size_t at = 0;
  while (true) {
    const auto end = std::min(line.find(delimiter, at), line.size());
    auto field = line.substr(at, end - at);
    const auto first = field.find_first_not_of(" \t");
    field = first == std::string_view::npos ? std::string_view() : field.substr(first, field.find_last_not_of(" \t") - first + 1);
    fields.push_back(field);
    if (end == line.size()) break;
    at = end + 1;
  }
  return fields;
}

// A finite number written in full, or false.
bool parse_number(std::string_view text, double& value) {
  if (text.empty() || text.size() > 64) return false;
  const std::string copy(text);
  char* end = nullptr;
  errno = 0;
  value = std::strtod(copy.c_str(), &end);
  return end == copy.c_str() + copy.size() && errno != ERANGE && std::isfinite(value) &&
         copy.find_first_of("xXpP") == std::string::npos;  // no hexadecimal floats
}

// (x, y, z) of a recording whose vertical is `up` in skelaug's y-up frame, by a proper rotation.
std::array<double, 3> to_y_up(const std::array<double, 3>& p, int up) {
  switch (up) {
    case 0: return {-p[1], p[0], p[2]};  // x up: a quarter turn about z
    case 2: return {p[0], p[2], -p[1]};  // z up: a quarter turn about x
    default: return p;
  }
}

// A field as messages quote it: at most 32 characters, anything unprintable as '?'.
std::string printable(std::string_view field) {
  std::string text(field.substr(0, 32));
  for (auto& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  }
  return text;
}

bool all_digits(const std::string& text) {
  return !text.empty() && text.size() < 18 && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

TextColumns parse_text_columns(const std::string& spec) {
  TextColumns columns;
  columns.x = columns.y = columns.z = -1;
  const auto fields = fields_of(spec, ',');
  columns.count = static_cast<int>(fields.size());
  for (int i = 0; i < columns.count; ++i) {
    const auto field = fields[static_cast<std::size_t>(i)];
    int* axis = field == "x" ? &columns.x : field == "y" ? &columns.y : field == "z" ? &columns.z : nullptr;
    if (axis == nullptr && field != "c" && field != "_") {
      throw core::UserError(fmt::format("--columns {}: '{}' is not x, y, z, c (a confidence) or _ (skipped)", spec, field));
    }
    if (axis != nullptr) {
      if (*axis >= 0) throw core::UserError(fmt::format("--columns {}: '{}' is given twice", spec, field));
      *axis = i;
    }
  }
  if (columns.x < 0 || columns.y < 0 || columns.z < 0) {
    throw core::UserError(fmt::format("--columns {}: x, y and z must each be named once", spec));
  }
  return columns;
}

TextClip parse_skeleton_text(const std::string& text, const TextFormat& format, const std::string& where) {
  const int per_joint = format.columns.count;
  const int per_row = format.layout == TextLayout::kJointRows ? per_joint : per_joint * format.joints;
  std::vector<double> values;  // the current frame's, file joint after file joint
  TextClip clip;
  std::int64_t line_number = 0, last_data_line = 0;
  const auto finish_frame = [&] {
    std::vector<float> frame(static_cast<std::size_t>(format.joints) * 3);
    bool all_zero = true;
    for (int j = 0; j < format.joints; ++j) {
      const auto* v = &values[static_cast<std::size_t>(format.file_joint[static_cast<std::size_t>(j)] * per_joint)];
      const std::array<double, 3> p{v[format.columns.x], v[format.columns.y], v[format.columns.z]};
      all_zero = all_zero && p[0] == 0 && p[1] == 0 && p[2] == 0;
      const auto up = to_y_up(p, format.up_axis);
      for (int a = 0; a < 3; ++a) frame[static_cast<std::size_t>(j * 3 + a)] = static_cast<float>(up[static_cast<std::size_t>(a)] * format.scale);
    }
    values.clear();
    if (all_zero) {
      ++clip.dropped_frames;
      return;
    }
    if (clip.frames >= kMaxClipFrames) {
      throw core::UserError(fmt::format("{}:{}: more than {} frames", where, line_number, kMaxClipFrames));
    }
    clip.joints.insert(clip.joints.end(), frame.begin(), frame.end());
    ++clip.frames;
  };
  std::size_t at = 0;
  while (at < text.size()) {
    auto end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + at, end - at);
    at = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;
    const auto fields = fields_of(line, format.delimiter);
    if (static_cast<int>(fields.size()) != per_row) {
      throw core::UserError(fmt::format("{}:{}: expected {} values ({}), got {}", where, line_number, per_row,
                                        format.layout == TextLayout::kJointRows ? "one joint per row"
                                                                               : "one frame per row",
                                        fields.size()));
    }
    for (const auto field : fields) {
      double value = 0;
      if (!parse_number(field, value)) {
        throw core::UserError(fmt::format("{}:{}: '{}' is not a finite number", where, line_number, printable(field)));
      }
      values.push_back(value);
    }
    last_data_line = line_number;
    if (static_cast<int>(values.size()) == per_joint * format.joints) finish_frame();
  }
  if (!values.empty()) {
    throw core::UserError(fmt::format("{}:{}: the file ends mid-frame ({} of {} joints)", where, last_data_line,
                                      values.size() / static_cast<std::size_t>(per_joint), format.joints));
  }
  return clip;
}

TextFileName parse_text_file_name(const std::string& file_name, const std::string& pattern) {
  static const std::regex kField(R"(\{([a-z]*)\})");
  std::string expression;
  const auto append_literally = [&expression](const std::string& text) {
    for (const char c : text) {
      if (std::string(R"(\^$.|?*+()[]{}-)").find(c) != std::string::npos) expression += '\\';
      expression += c;
    }
  };
  std::vector<std::string> order;
  std::size_t at = 0;
  for (std::sregex_iterator it(pattern.begin(), pattern.end(), kField), end; it != end; ++it) {
    append_literally(pattern.substr(at, static_cast<std::size_t>(it->position()) - at));
    const auto field = (*it)[1].str();
    if (field != "label" && field != "subject" && field != "repetition") {
      throw core::UserError(fmt::format("--name-pattern {}: unknown field {{{}}} (label, subject, repetition)", pattern, field));
    }
    if (std::find(order.begin(), order.end(), field) != order.end()) {
      throw core::UserError(fmt::format("--name-pattern {}: {{{}}} is given twice", pattern, field));
    }
    order.push_back(field);
    expression += field == "label" ? "(.+?)" : "([0-9]+)";
    at = static_cast<std::size_t>(it->position() + it->length());
  }
  append_literally(pattern.substr(at));
  if (std::find(order.begin(), order.end(), "label") == order.end()) {
    throw core::UserError(fmt::format("--name-pattern {}: has no {{label}}", pattern));
  }
  std::smatch match;
  if (!std::regex_match(file_name, match, std::regex(expression))) {
    throw core::UserError(fmt::format("{}: the name does not match --name-pattern {}", file_name, pattern));
  }
  TextFileName name;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const auto value = match[i + 1].str();
    if (order[i] == "label") name.label = value;
    const auto number = [&] {
      if (value.size() > 12) throw core::UserError(fmt::format("{}: {{{}}} {} is too long", file_name, order[i], value));
      return std::stoll(value);
    };
    if (order[i] == "subject") name.subject = number();
    if (order[i] == "repetition") name.repetition = number();
  }
  return name;
}

SkeletonDataset import_text_files(const std::vector<std::filesystem::path>& files, const TextImportOptions& options) {
  if (options.topology.empty()) throw core::UserError("text import needs --topology (a built-in name or FILE.yaml)");
  if (!(options.fps >= kMinFps && options.fps <= kMaxFps)) {
    throw core::UserError(fmt::format("--fps must be between {} and {} (the files carry no rate), not {}", kMinFps,
                                      kMaxFps, options.fps));
  }
  if (!std::isfinite(options.scale) || options.scale <= 0) {
    throw core::UserError(fmt::format("--scale must be a positive number, not {}", options.scale));
  }
  if (options.delimiter.size() > 1) throw core::UserError(fmt::format("--delimiter '{}': one character", options.delimiter));
  if (options.name_pattern.empty()) {
    throw core::UserError("text import needs --name-pattern (e.g. 'a{label}_s{subject}_e{repetition}_skeleton3D.txt')");
  }

  TextFormat format;
  std::string topology_name;
  if (names_topology_file(options.topology)) {
    const auto read = read_topology_file(options.topology);
    topology_name = register_topology(read.topology, options.topology).name;
    format.file_joint = read.listed_order;
    format.up_axis = read.topology.up_axis;
  } else {
    const auto& builtin = topology(options.topology);
    topology_name = builtin.name;
    format.file_joint.resize(static_cast<std::size_t>(builtin.num_joints()));
    std::iota(format.file_joint.begin(), format.file_joint.end(), 0);
    format.up_axis = builtin.up_axis;
  }
  format.joints = static_cast<int>(format.file_joint.size());
  format.layout = options.layout;
  format.columns = parse_text_columns(options.columns);
  format.delimiter = options.delimiter.empty() ? 0 : options.delimiter[0];
  format.scale = options.scale;
  if (!options.up.empty()) {
    const auto axis = std::string("xyz").find(options.up);
    if (options.up.size() != 1 || axis == std::string::npos) {
      throw core::UserError(fmt::format("--up {}: x, y or z", options.up));
    }
    format.up_axis = static_cast<int>(axis);
  }
  std::map<std::string, std::string> label_names;
  if (!options.label_map.empty()) {
    const auto map = load_yaml_mapping(options.label_map, "label map");
    for (const auto& entry : map) {
      const auto value = scalar_text(entry.first, options.label_map, "a label value");
      if (!label_names.emplace(value, scalar_text(entry.second, options.label_map, "a class name")).second) {
        throw core::UserError(fmt::format("{}: label '{}' is mapped twice", at_line(options.label_map, entry.first.Mark()), value));
      }
    }
  }

  struct Read {
    TextClip clip;
    TextFileName name;
    std::string source;
  };
  std::vector<Read> read;
  std::int64_t dropped = 0, skipped = 0;
  std::vector<std::string> unmatched;
  for (const auto& file : files) {
    Read one{{}, {}, file.string()};
    try {
      one.name = parse_text_file_name(file.filename().string(), options.name_pattern);
    } catch (const core::UserError& error) {
      if (std::string(error.what()).find("does not match") == std::string::npos) throw;
      unmatched.push_back(file.string());  // a README or file list beside the recordings
      continue;
    }
    if (!options.label_map.empty() && label_names.count(one.name.label) == 0) {
      throw core::UserError(fmt::format("{}: label '{}' is not in the label map {}", file.string(), one.name.label,
                                        options.label_map));
    }
    if (!options.train_subjects.empty() && one.name.subject < 0) {
      throw core::UserError(fmt::format("--train-subjects needs a {{subject}} in --name-pattern ({})", options.name_pattern));
    }
    one.clip = parse_skeleton_text(core::read_text_file(file, "skeleton text file"), format, file.string());
    dropped += one.clip.dropped_frames;
    if (one.clip.frames == 0) {
      SKELAUG_LOG(kWarning) << fmt::format("{}: skipped: no frame with a tracked joint ({} all-zero frames)",
                                           file.string(), one.clip.dropped_frames);
      ++skipped;
      continue;
    }
    read.push_back(std::move(one));
  }
  if (!unmatched.empty()) {
    SKELAUG_LOG(kWarning) << fmt::format("text import: {} file(s) whose name does not match --name-pattern {} are "
                                         "left out, e.g. {}",
                                         unmatched.size(), options.name_pattern, unmatched.front());
  }
  if (read.empty()) {
    throw core::UserError(unmatched.size() == files.size()
                              ? fmt::format("text import: no file name matches --name-pattern {} (e.g. {})",
                                            options.name_pattern, unmatched.front())
                              : "text import: no file had a frame to import");
  }

  // Classes in the order of their label values: numerically when all are numbers ("a2" before "a10").
  std::vector<std::string> values;
  for (const auto& one : read) values.push_back(one.name.label);
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  if (std::all_of(values.begin(), values.end(), all_digits)) {
    std::sort(values.begin(), values.end(), [](const std::string& a, const std::string& b) { return std::stoll(a) < std::stoll(b); });
  }
  SkeletonDataset dataset;
  dataset.topology = topology_name;
  dataset.fps = options.fps;
  for (const auto& value : values) dataset.class_names.push_back(label_names.empty() ? value : label_names.at(value));
  for (const auto& one : read) {
    ClipInfo info;
    info.subject = one.name.subject;
    info.source = one.source;
    if (!options.train_subjects.empty()) info.split = options.train_subjects.count(one.name.subject) ? "train" : "test";
    const auto label = std::find(values.begin(), values.end(), one.name.label) - values.begin();
    dataset.add_clip(one.clip.joints.data(), one.clip.frames, label, info);
  }
  SKELAUG_LOG(kInfo) << fmt::format("text import: {} clips from {} files; {} all-zero frames dropped, {} files skipped",
                                    dataset.size(), files.size(), dropped, skipped);
  return dataset;
}

}  // namespace skelaug::data
