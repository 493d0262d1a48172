// The NTU RGB+D .skeleton text format: a single forward scan over the file's bytes, numbers read in place with
// std::from_chars, every count and value checked, and one precise error on the first thing that is wrong.
#include "skelaug/data/ntu_skeleton.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <numeric>

#include "skelaug/core/error.h"

namespace skelaug::data {
namespace {

constexpr int kBodyInfoValues = 10;  // bodyID clippedEdges handLeft{Confidence,State} handRight{..} isRestricted
                                     // leanX leanY trackingState
constexpr int kJointValues = 12;     // x y z depthX depthY colorX colorY orientW orientX orientY orientZ trackingState

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

// A piece of the file quoted in a message: short, and printable so the message stays one line.
std::string quoted(std::string_view token) {
  constexpr std::size_t kMaxShown = 24;
  std::string shown;
  for (const char c : token.substr(0, kMaxShown)) {
    const auto byte = static_cast<unsigned char>(c);
    shown += (byte >= 0x20 && byte < 0x7f) ? c : '?';
  }
  if (token.size() > kMaxShown) shown += "...";
  return "'" + shown + "'";
}

int count_fields(std::string_view line) {
  int count = 0;
  for (std::size_t i = 0; i < line.size();) {
    while (i < line.size() && is_blank(line[i])) ++i;
    if (i == line.size()) break;
    ++count;
    while (i < line.size() && !is_blank(line[i])) ++i;
  }
  return count;
}

std::string numbers(int count) { return count == 1 ? "1 number" : fmt::format("{} numbers", count); }

// Hands out the file's lines in order and turns problems into "<where>:<line>: <problem>" errors.
class LineReader {
 public:
  LineReader(std::string_view text, const std::string& where) : text_(text), where_(where) {}

  // The next line, without its LF or CRLF end; when the text is exhausted, an error saying what was expected there.
  std::string_view next(const char* expected_what, std::int64_t frame, std::int64_t frame_count) {
    std::string_view line;
    if (!try_next(line)) {
      fail_missing_line(
          fmt::format("the file ends early: expected {} (frame {} of {})", expected_what, frame + 1, frame_count));
    }
    return line;
  }

  // An error about the line after the last one, the line that is missing.
  [[noreturn]] void fail_missing_line(const std::string& problem) {
    ++line_;
    fail(problem);
  }

  bool try_next(std::string_view& line) {
    if (position_ >= text_.size()) return false;
    const char* begin = text_.data() + position_;
    const auto rest = text_.size() - position_;
    const auto* end = static_cast<const char*>(std::memchr(begin, '\n', rest));
    const std::size_t length = end ? static_cast<std::size_t>(end - begin) : rest;
    position_ += end ? length + 1 : length;
    ++line_;
    line = std::string_view(begin, length);
    return true;
  }

  [[noreturn]] void fail(const std::string& problem) const {
    throw core::UserError(fmt::format("{}:{}: {}", where_, line_, problem));
  }

  // Reads exactly `count` finite numbers from `line` into `values`.
  template <typename Number>
  void read_numbers(std::string_view line, Number* values, int count) const {
    const char* p = line.data();
    const char* const end = p + line.size();
    for (int i = 0; i < count; ++i) {
      while (p != end && is_blank(*p)) ++p;
      if (p == end) fail(fmt::format("expected {}, got {}", numbers(count), count_fields(line)));
      p = read_number(p, end, values[i]);
    }
    while (p != end && is_blank(*p)) ++p;
    if (p != end) fail(fmt::format("expected {}, got {}", numbers(count), count_fields(line)));
  }

  // A line that holds one non-negative integer (a frame, body or joint count).
  std::int64_t read_count(std::string_view line, const char* what) const {
    std::int64_t value = 0;
    read_integer(line, value, what);
    if (value < 0) fail(fmt::format("{} {} is negative", what, value));
    return value;
  }

  template <typename Integer>
  const char* read_integer_token(const char* p, const char* end, Integer& value, const char* what) const {
    const auto [stop, error] = std::from_chars(p, end, value);
    const char* token_end = std::find_if(p, end, is_blank);
    if (error != std::errc() || stop != token_end) {
      fail(fmt::format("{} {} is not an integer", what, quoted(std::string_view(p, token_end - p))));
    }
    return stop;
  }

 private:
  template <typename Integer>
  void read_integer(std::string_view line, Integer& value, const char* what) const {
    const char* p = line.data();
    const char* const end = p + line.size();
    while (p != end && is_blank(*p)) ++p;
    if (p == end) fail(fmt::format("expected {}, got an empty line", what));
    p = read_integer_token(p, end, value, what);
    while (p != end && is_blank(*p)) ++p;
    if (p != end) fail(fmt::format("expected {} alone on its line, got {}", what, numbers(count_fields(line))));
  }

  template <typename Number>
  const char* read_number(const char* p, const char* end, Number& value) const {
    auto [stop, error] = std::from_chars(p, end, value);
    // The common case, checked without a second look at the token's characters.
    if (error == std::errc() && (stop == end || is_blank(*stop)) && std::isfinite(value)) return stop;
    if (error == std::errc::result_out_of_range) {
      // Too small for Number (a denormal or less) reads as the nearest representable value; too large is an error.
      double wide = 0;
      const auto [wide_stop, wide_error] = std::from_chars(p, end, wide);
      if (wide_error == std::errc() && std::abs(wide) <= std::numeric_limits<Number>::max()) {
        value = static_cast<Number>(wide);
        stop = wide_stop;
        error = std::errc();
      }
    }
    const char* token_end = std::find_if(p, end, is_blank);
    const std::string_view token(p, token_end - p);
    if (error == std::errc::result_out_of_range) fail(fmt::format("{} is out of range", quoted(token)));
    if (error != std::errc() || stop != token_end) fail(fmt::format("{} is not a number", quoted(token)));
    if (!std::isfinite(value)) fail(fmt::format("{} is not a finite number", quoted(token)));
    return stop;
  }

  std::string_view text_;
  const std::string& where_;
  std::size_t position_ = 0;
  std::int64_t line_ = 0;
};

}  // namespace

NtuRecordingName parse_ntu_name(const std::filesystem::path& file) {
  // SsssCcccPpppRrrrAaaa: five fields, each a letter and three digits.
  static constexpr std::array<char, 5> kLetters{'S', 'C', 'P', 'R', 'A'};
  const std::string stem = file.stem().string();
  std::array<int, 5> values{};
  bool matches = stem.size() == 20;
  for (std::size_t field = 0; matches && field < kLetters.size(); ++field) {
    const std::size_t at = field * 4;
    matches = stem[at] == kLetters[field];
    for (std::size_t digit = at + 1; matches && digit < at + 4; ++digit) {
      matches = stem[digit] >= '0' && stem[digit] <= '9';
      values[field] = values[field] * 10 + (stem[digit] - '0');
    }
  }
  if (!matches) {
    throw core::UserError(
        fmt::format("{}: not an NTU RGB+D file name: expected SsssCcccPpppRrrrAaaa.skeleton (setup, camera, performer, "
                    "replication, action), e.g. S001C002P003R002A013.skeleton",
                    file.string()));
  }
  const NtuRecordingName name{values[0], values[1], values[2], values[3], values[4]};
  if (name.action < 1 || name.action > 120) {
    throw core::UserError(
        fmt::format("{}: action A{:03} is not an NTU RGB+D action (A001..A120)", file.string(), name.action));
  }
  return name;
}

NtuRecording parse_ntu_skeleton(std::string_view text, const std::string& where) {
  LineReader lines(text, where);
  NtuRecording recording;
  std::string_view line;
  if (!lines.try_next(line)) lines.fail_missing_line("the file is empty: expected the frame count");
  recording.frame_count = lines.read_count(line, "the frame count");

  std::array<double, kBodyInfoValues - 1> info{};  // read to check them; only bodyID is used
  std::array<float, kJointValues> joint{};
  std::array<float, kNtuJoints * 3> positions{};
  std::vector<std::size_t> seen_this_frame;
  // Each iteration of these loops consumes at least one line, so a huge count in a corrupted file ends in an
  // "ends early" error after one pass over the text, never in a long loop or a large allocation.
  for (std::int64_t frame = 0; frame < recording.frame_count; ++frame) {
    line = lines.next("a body count", frame, recording.frame_count);
    const std::int64_t body_count = lines.read_count(line, "the body count");
    seen_this_frame.clear();
    for (std::int64_t b = 0; b < body_count; ++b) {
      line = lines.next("a body's info line", frame, recording.frame_count);
      const char* p = line.data();
      const char* const end = p + line.size();
      while (p != end && is_blank(*p)) ++p;
      if (p == end) lines.fail(fmt::format("expected {} (a body's info line), got 0", numbers(kBodyInfoValues)));
      std::uint64_t body_id = 0;
      p = lines.read_integer_token(p, end, body_id, "the bodyID");
      const std::string_view rest(p, end - p);
      if (count_fields(rest) != kBodyInfoValues - 1) {
        lines.fail(
            fmt::format("expected {} (a body's info line), got {}", numbers(kBodyInfoValues), count_fields(line)));
      }
      lines.read_numbers(rest, info.data(), kBodyInfoValues - 1);

      line = lines.next("a joint count", frame, recording.frame_count);
      const std::int64_t joint_count = lines.read_count(line, "the joint count");
      if (joint_count != kNtuJoints) lines.fail(fmt::format("expected {} joints, got {}", kNtuJoints, joint_count));
      for (int j = 0; j < kNtuJoints; ++j) {
        line = lines.next("a joint line", frame, recording.frame_count);
        lines.read_numbers(line, joint.data(), kJointValues);
        std::copy(joint.begin(), joint.begin() + 3, positions.begin() + 3 * j);
      }

      auto known = std::find_if(recording.bodies.begin(), recording.bodies.end(),
                                [&](const NtuBody& body) { return body.body_id == body_id; });
      const auto index = static_cast<std::size_t>(known - recording.bodies.begin());
      // A bodyID listed twice in one frame would give its clip two poses for one instant: the first one is kept.
      if (std::find(seen_this_frame.begin(), seen_this_frame.end(), index) != seen_this_frame.end()) continue;
      seen_this_frame.push_back(index);
      if (known == recording.bodies.end()) {
        recording.bodies.emplace_back();
        recording.bodies.back().body_id = body_id;
      }
      NtuBody& body = recording.bodies[index];
      body.frames.push_back(frame);
      body.joints.insert(body.joints.end(), positions.begin(), positions.end());
    }
  }
  while (lines.try_next(line)) {
    if (count_fields(line) != 0) {
      lines.fail(fmt::format("more content than the {} frames the first line declares", recording.frame_count));
    }
  }
  return recording;
}

NtuRecording read_ntu_skeleton(const std::filesystem::path& file) {
  const std::string where = file.string();
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> stream(std::fopen(where.c_str(), "rb"), &std::fclose);
  if (!stream) throw core::UserError(fmt::format("{}: cannot open: {}", where, std::strerror(errno)));
  std::string text;
  std::array<char, 1 << 16> chunk;
  while (const std::size_t got = std::fread(chunk.data(), 1, chunk.size(), stream.get()))
    text.append(chunk.data(), got);
  if (std::ferror(stream.get())) throw core::UserError(fmt::format("{}: cannot read: {}", where, std::strerror(errno)));
  return parse_ntu_skeleton(text, where);
}

double body_motion(const NtuBody& body) {
  const std::int64_t frames = body.num_frames();
  if (frames == 0) return 0;
  constexpr int kValues = kNtuJoints * 3;
  std::array<double, kValues> mean{};
  for (std::int64_t f = 0; f < frames; ++f) {
    for (int v = 0; v < kValues; ++v) mean[v] += body.joints[f * kValues + v];
  }
  for (double& m : mean) m /= static_cast<double>(frames);
  // Two passes (mean, then squared deviations) keep the variance exact for bodies far from the camera origin.
  double sum = 0;
  for (std::int64_t f = 0; f < frames; ++f) {
    for (int v = 0; v < kValues; ++v) {
      const double deviation = body.joints[f * kValues + v] - mean[v];
      sum += deviation * deviation;
    }
  }
  return sum / static_cast<double>(frames);
}

std::vector<std::size_t> bodies_by_motion(const NtuRecording& recording) {
  std::vector<double> motion;
  motion.reserve(recording.bodies.size());
  for (const auto& body : recording.bodies) motion.push_back(body_motion(body));
  std::vector<std::size_t> order(recording.bodies.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return motion[a] > motion[b]; });
  return order;
}

}  // namespace skelaug::data
