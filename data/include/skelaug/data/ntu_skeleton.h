#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace skelaug::data {

// Kinect v2 joints per body in an NTU RGB+D .skeleton file (the ntu25 topology).
inline constexpr int kNtuJoints = 25;

// What an NTU file name says: SsssCcccPpppRrrrAaaa.skeleton (setup, camera, performer, replication, action; all
// 1-based).
struct NtuRecordingName {
  int setup = 0;
  int camera = 0;
  int performer = 0;
  int replication = 0;
  int action = 0;
};

// Parses the file name (any directory part is ignored). Throws core::UserError "<file>: ..." when the name does not
// follow the pattern, or the action is not one of NTU's 1..120.
NtuRecordingName parse_ntu_name(const std::filesystem::path& file);

// One tracked body of a recording: the frames it was seen in and its joint positions in them.
struct NtuBody {
  std::uint64_t body_id = 0;         // the Kinect bodyID that links a body's appearances across frames
  std::vector<std::int64_t> frames;  // recording frame index (0-based) of each appearance, increasing
  std::vector<float> joints;         // frames.size() x 25 x 3: camera-space x, y, z in metres

  std::int64_t num_frames() const { return static_cast<std::int64_t>(frames.size()); }
};

// A parsed .skeleton file. A body's clip holds only the frames in which it was tracked: frames with no body (which
// occur at the start and end of many recordings) and frames in which another body was tracked instead contribute
// nothing to it, so `frames` records where each appearance came from.
struct NtuRecording {
  std::int64_t frame_count = 0;  // the file's declared frame count, frames without bodies included
  std::vector<NtuBody> bodies;   // in order of first appearance
};

// Parses the text of a .skeleton file (LF or CRLF line ends; blank lines after the last frame are allowed). Every
// value is checked to be a finite number, counts to be integers, and the content to match the frame, body and joint
// counts. Anything else throws ONE core::UserError "<where>:<line>: <problem>". The text is scanned once, without
// streams; the cost is linear in its length whatever it holds.
NtuRecording parse_ntu_skeleton(std::string_view text, const std::string& where);

// Reads and parses a file; errors name the file as given.
NtuRecording read_ntu_skeleton(const std::filesystem::path& file);

// How much a body moves: the sum over its 75 joint coordinates of their variance across the body's frames (m^2).
// The performer of an action moves; a misdetected chair or a second person standing still scores low.
double body_motion(const NtuBody& body);

// Indices into recording.bodies, the body with the most motion first (ties: the earlier-seen body first).
std::vector<std::size_t> bodies_by_motion(const NtuRecording& recording);

}  // namespace skelaug::data
