// The BVH text format: a HIERARCHY of joints (OFFSET, CHANNELS, nested JOINT / End Site blocks), then MOTION with
// "Frames:", "Frame Time:" and one line of channel values per frame. Every problem is reported as one UserError naming
// the file and the line, because a user fixing a 1 MB mocap file needs to know where to look.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string_view>

#include "skelaug/core/error.h"
#include "skelaug/data/bvh_parser.h"
#include "skelaug/data/frame_limits.h"

namespace skelaug::data {
namespace {

struct Token {
  std::string_view text;
  int line = 0;
};

// Tokens of a text separated by blanks, with the line each is on. '\r' counts as a blank, so CRLF, LF and mixed line
// ends (the CMU conversions have both) read the same.
class Tokenizer {
 public:
  explicit Tokenizer(std::string_view text) : text_(text) {}

  // The next token on any line; false at the end of the text.
  bool next(Token& token) {
    skip_blanks(/*cross_lines=*/true);
    if (position_ >= text_.size()) return false;
    token = take();
    return true;
  }

  // The next token on the current line; false if the line has no more.
  bool next_on_line(Token& token) {
    skip_blanks(/*cross_lines=*/false);
    if (position_ >= text_.size() || text_[position_] == '\n') return false;
    token = take();
    return true;
  }

  // Moves to the start of the next line.
  void skip_line() {
    while (position_ < text_.size() && text_[position_] != '\n') ++position_;
    if (position_ < text_.size()) {
      ++position_;
      ++line_;
    }
  }

  bool at_end() const { return position_ >= text_.size(); }
  int line() const { return line_; }
  // The line of the last token taken: where a file that ends too early is reported, rather than on a line past its
  // last newline.
  int last_token_line() const { return last_token_line_; }

 private:
  static bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

  void skip_blanks(bool cross_lines) {
    while (position_ < text_.size()) {
      const char c = text_[position_];
      if (blank(c)) {
        ++position_;
      } else if (c == '\n' && cross_lines) {
        ++position_;
        ++line_;
      } else {
        break;
      }
    }
  }

  Token take() {
    const std::size_t start = position_;
    while (position_ < text_.size() && !blank(text_[position_]) && text_[position_] != '\n') ++position_;
    last_token_line_ = line_;
    return Token{text_.substr(start, position_ - start), line_};
  }

  std::string_view text_;
  std::size_t position_ = 0;
  int line_ = 1;
  int last_token_line_ = 1;
};

// A token as messages show it: quoted, shortened, with unprintable bytes replaced, so a corrupt file cannot garble the
// one error line.
std::string quoted(std::string_view text) {
  constexpr std::size_t kMaxShown = 32;
  std::string shown;
  for (std::size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    shown += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  }
  if (text.size() > kMaxShown) shown += "...";
  return "'" + shown + "'";
}

enum class NumberProblem { kNone, kNotANumber, kNotFinite };

NumberProblem parse_double(std::string_view text, double& value) {
  // std::from_chars takes no leading '+', which some exporters write.
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) return NumberProblem::kNotANumber;
  }
  if (text.empty()) return NumberProblem::kNotANumber;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error == std::errc::result_out_of_range && end == text.data() + text.size()) return NumberProblem::kNotFinite;
  if (error != std::errc() || end != text.data() + text.size()) return NumberProblem::kNotANumber;
  return std::isfinite(value) ? NumberProblem::kNone : NumberProblem::kNotFinite;
}

bool parse_channel(std::string_view text, BvhChannel& channel) {
  static constexpr BvhChannel kAll[] = {BvhChannel::kXposition, BvhChannel::kYposition, BvhChannel::kZposition,
                                        BvhChannel::kXrotation, BvhChannel::kYrotation, BvhChannel::kZrotation};
  for (const auto candidate : kAll) {
    if (text == bvh_channel_name(candidate)) {
      channel = candidate;
      return true;
    }
  }
  return false;
}

class BvhParser {
 public:
  BvhParser(std::string_view text, std::string where) : tokens_(text), where_(std::move(where)) {}

  BvhMotion parse() {
    parse_hierarchy();
    parse_motion_header();
    parse_frames();
    return std::move(motion_);
  }

 private:
  [[noreturn]] void fail(int line, const std::string& what) const {
    throw core::UserError(fmt::format("{}:{}: {}", where_, line, what));
  }

  // The next token, which must exist; `expected` says what the file should have had, for the message.
  Token require(const char* expected) {
    Token token;
    if (!tokens_.next(token)) {
      fail(tokens_.last_token_line(), fmt::format("the file ends where {} was expected", expected));
    }
    return token;
  }

  void expect_word(std::string_view word) {
    const Token token = require(fmt::format("'{}'", word).c_str());
    if (token.text != word) fail(token.line, fmt::format("expected '{}', found {}", word, quoted(token.text)));
  }

  double require_number(const char* what, int* line = nullptr) {
    const Token token = require(what);
    if (line != nullptr) *line = token.line;
    double value = 0;
    switch (parse_double(token.text, value)) {
      case NumberProblem::kNone: return value;
      case NumberProblem::kNotFinite: fail(token.line, fmt::format("{} {} is not a finite number", what, quoted(token.text)));
      case NumberProblem::kNotANumber: break;
    }
    fail(token.line, fmt::format("{}: {} is not a number", what, quoted(token.text)));
  }

  // ROOT/JOINT names run to the end of their line (a few exporters put blanks in names); a '{' there opens the block.
  std::string read_joint_name(const Token& keyword, bool& brace_on_line) {
    std::string name;
    brace_on_line = false;
    Token token;
    while (tokens_.next_on_line(token)) {
      if (token.text == "{") {
        brace_on_line = true;
        break;
      }
      if (!name.empty()) name += ' ';
      name += token.text;
    }
    if (name.empty()) fail(keyword.line, fmt::format("{} without a name", keyword.text));
    return name;
  }

  int add_joint(std::string name, int parent, bool end_site, int line) {
    BvhJoint joint;
    joint.name = std::move(name);
    joint.parent = parent;
    joint.end_site = end_site;
    joint.line = line;
    motion_.skeleton.joints.push_back(std::move(joint));
    return static_cast<int>(motion_.skeleton.joints.size()) - 1;
  }

  // One joint body's state while its block is open.
  struct OpenJoint {
    int index;
    bool has_offset = false;
    bool has_channels = false;
  };

  // Iterative rather than recursive, so that a deeply nested (or corrupt) file cannot overflow the stack.
  void parse_hierarchy() {
    expect_word("HIERARCHY");
    const Token root = require("'ROOT'");
    if (root.text != "ROOT") fail(root.line, fmt::format("expected 'ROOT', found {}", quoted(root.text)));
    std::vector<OpenJoint> open;
    open_block(root, -1, /*end_site=*/false, open);
    while (!open.empty()) {
      const Token token = require_in_block(open.back());
      OpenJoint& current = open.back();
      const BvhJoint& joint = motion_.skeleton.joints[static_cast<std::size_t>(current.index)];
      if (token.text == "OFFSET") {
        if (current.has_offset) fail(token.line, fmt::format("a second OFFSET for joint '{}'", joint.name));
        auto& offset = motion_.skeleton.joints[static_cast<std::size_t>(current.index)].offset;
        for (auto& component : offset) component = require_number("OFFSET value");
        current.has_offset = true;
      } else if (token.text == "CHANNELS") {
        if (joint.end_site) fail(token.line, "an End Site has no CHANNELS");
        if (current.has_channels) fail(token.line, fmt::format("a second CHANNELS for joint '{}'", joint.name));
        read_channels(current.index);
        current.has_channels = true;
      } else if (token.text == "JOINT" || token.text == "End") {
        if (joint.end_site) fail(token.line, fmt::format("an End Site cannot contain a {}", token.text));
        if (token.text == "End") {
          const Token site = require("'Site'");
          if (site.text != "Site") fail(site.line, fmt::format("expected 'End Site', found 'End {}'", quoted(site.text)));
        }
        open_block(token, current.index, token.text == "End", open);
      } else if (token.text == "}") {
        if (!current.has_offset) fail(token.line, fmt::format("joint '{}' has no OFFSET", joint.name));
        open.pop_back();
      } else if (token.text == "ROOT") {
        fail(token.line, fmt::format("ROOT inside joint '{}' (is a '}}' missing?)", joint.name));
      } else if (token.text == "MOTION") {
        fail(token.line, fmt::format("MOTION before the hierarchy is closed: joint '{}' (line {}) has no closing '}}'",
                                     joint.name, joint.line));
      } else {
        fail(token.line, fmt::format("unexpected {} in joint '{}' (expected OFFSET, CHANNELS, JOINT, End Site or '}}')",
                                     quoted(token.text), joint.name));
      }
    }
    if (motion_.skeleton.num_channels == 0) fail(root.line, "the hierarchy has no CHANNELS");
  }

  Token require_in_block(const OpenJoint& current) {
    Token token;
    if (!tokens_.next(token)) {
      const BvhJoint& joint = motion_.skeleton.joints[static_cast<std::size_t>(current.index)];
      fail(tokens_.last_token_line(), fmt::format("the file ends inside the hierarchy: joint '{}' (line {}) has no closing '}}'",
                                       joint.name, joint.line));
    }
    return token;
  }

  void open_block(const Token& keyword, int parent, bool end_site, std::vector<OpenJoint>& open) {
    bool brace_on_line = false;
    std::string name;
    if (end_site) {
      name = motion_.skeleton.joints[static_cast<std::size_t>(parent)].name + "_End";
      Token token;
      if (tokens_.next_on_line(token)) {
        if (token.text != "{") fail(token.line, fmt::format("expected '{{' after End Site, found {}", quoted(token.text)));
        brace_on_line = true;
      }
    } else {
      name = read_joint_name(keyword, brace_on_line);
    }
    if (!brace_on_line) {
      const Token brace = require("'{'");
      if (brace.text != "{") {
        fail(brace.line, fmt::format("expected '{{' to open joint '{}', found {}", name, quoted(brace.text)));
      }
    }
    open.push_back(OpenJoint{add_joint(std::move(name), parent, end_site, keyword.line)});
  }

  void read_channels(int joint_index) {
    const Token count_token = require("the channel count");
    double count_value = 0;
    if (parse_double(count_token.text, count_value) != NumberProblem::kNone || count_value != std::floor(count_value) ||
        count_value < 0 || count_value > 6) {
      fail(count_token.line, fmt::format("CHANNELS count {} is not a whole number from 0 to 6", quoted(count_token.text)));
    }
    auto& joint = motion_.skeleton.joints[static_cast<std::size_t>(joint_index)];
    joint.first_channel = motion_.skeleton.num_channels;
    for (int i = 0; i < static_cast<int>(count_value); ++i) {
      const Token name = require("a channel name");
      BvhChannel channel{};
      if (!parse_channel(name.text, channel)) {
        fail(name.line, fmt::format("unknown channel {} (known: Xposition Yposition Zposition Xrotation Yrotation "
                                    "Zrotation)", quoted(name.text)));
      }
      if (std::find(joint.channels.begin(), joint.channels.end(), channel) != joint.channels.end()) {
        fail(name.line, fmt::format("channel {} listed twice for joint '{}'", quoted(name.text), joint.name));
      }
      joint.channels.push_back(channel);
    }
    motion_.skeleton.num_channels += static_cast<int>(joint.channels.size());
  }

  void parse_motion_header() {
    const Token motion = require("'MOTION'");
    if (motion.text == "}") fail(motion.line, "'}' without a matching '{'");
    if (motion.text != "MOTION") fail(motion.line, fmt::format("expected 'MOTION' after the hierarchy, found {}",
                                                               quoted(motion.text)));
    expect_word("Frames:");
    const Token frames = require("the frame count");
    double frames_value = 0;
    if (parse_double(frames.text, frames_value) != NumberProblem::kNone || frames_value != std::floor(frames_value) ||
        frames_value < 1 || frames_value > 1e12) {
      fail(frames.line, fmt::format("Frames: {} is not a whole number of at least 1", quoted(frames.text)));
    }
    motion_.frames = static_cast<std::int64_t>(frames_value);
    expect_word("Frame");
    expect_word("Time:");
    int time_line = 0;
    motion_.frame_time = require_number("Frame Time", &time_line);
    if (motion_.frame_time <= 0) fail(time_line, "Frame Time must be positive");
    if (!(motion_.frame_time >= 1.0 / kMaxFps && motion_.frame_time <= 1.0 / kMinFps)) {
      fail(time_line, fmt::format("Frame Time {} s is outside {} to {} s ({} to {} frames per second)",
                                  motion_.frame_time, 1.0 / kMaxFps, 1.0 / kMinFps, kMaxFps, kMinFps));
    }
    Token extra;
    if (tokens_.next_on_line(extra)) fail(extra.line, fmt::format("unexpected {} after Frame Time", quoted(extra.text)));
    tokens_.skip_line();
  }

  // One frame per line; blank lines are skipped (files often end with one).
  void parse_frames() {
    const int columns = motion_.skeleton.num_channels;
    std::int64_t row = 0;
    int last_line = tokens_.line();
    while (!tokens_.at_end()) {
      Token token;
      int column = 0;
      if (!tokens_.next_on_line(token)) {
        tokens_.skip_line();
        continue;
      }
      last_line = token.line;
      if (row == motion_.frames) {
        fail(token.line, fmt::format("more motion rows than 'Frames: {}'", motion_.frames));
      }
      do {
        if (column == columns) {
          fail(token.line, fmt::format("frame {} has more than {} values (the hierarchy's channel count)", row + 1,
                                       columns));
        }
        double value = 0;
        switch (parse_double(token.text, value)) {
          case NumberProblem::kNone: break;
          case NumberProblem::kNotFinite:
            fail(token.line, fmt::format("value {} of frame {} is not finite: {}", column + 1, row + 1,
                                         quoted(token.text)));
          case NumberProblem::kNotANumber:
            fail(token.line, fmt::format("value {} of frame {} is not a number: {}", column + 1, row + 1,
                                         quoted(token.text)));
        }
        motion_.values.push_back(value);
        ++column;
      } while (tokens_.next_on_line(token));
      if (column != columns) {
        fail(last_line, fmt::format("frame {} has {} values, expected {} (the hierarchy's channel count)", row + 1,
                                    column, columns));
      }
      ++row;
      tokens_.skip_line();
    }
    if (row != motion_.frames) {
      fail(last_line, fmt::format("the file ends after {} of the {} frames 'Frames:' announces", row, motion_.frames));
    }
  }

  Tokenizer tokens_;
  std::string where_;
  BvhMotion motion_;
};

}  // namespace

const char* bvh_channel_name(BvhChannel channel) {
  switch (channel) {
    case BvhChannel::kXposition: return "Xposition";
    case BvhChannel::kYposition: return "Yposition";
    case BvhChannel::kZposition: return "Zposition";
    case BvhChannel::kXrotation: return "Xrotation";
    case BvhChannel::kYrotation: return "Yrotation";
    case BvhChannel::kZrotation: return "Zrotation";
  }
  return "?";
}

int BvhSkeleton::find(const std::string& name, const std::string& where) const {
  int found = -1;
  for (std::size_t j = 0; j < joints.size(); ++j) {
    if (joints[j].name != name) continue;
    if (found >= 0) {
      throw core::UserError(fmt::format("{}: joint name '{}' is ambiguous: lines {} and {} both declare it", where,
                                        name, joints[static_cast<std::size_t>(found)].line, joints[j].line));
    }
    found = static_cast<int>(j);
  }
  return found;
}

double BvhMotion::fps() const {
  const double rate = 1.0 / frame_time;
  const double whole = std::round(rate);
  return (whole >= 1 && std::abs(rate - whole) <= 1e-4 * whole) ? whole : rate;
}

BvhMotion parse_bvh(const std::string& text, const std::string& where) {
  return BvhParser(text, where).parse();
}

BvhMotion read_bvh(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw core::UserError(fmt::format("{}: cannot open the file", file.string()));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw core::UserError(fmt::format("{}: cannot read the file", file.string()));
  return parse_bvh(text.str(), file.string());
}

}  // namespace skelaug::data
