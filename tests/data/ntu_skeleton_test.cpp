#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <regex>
#include <string>
#include <typeinfo>
#include <vector>

#include "skelaug/core/error.h"
#include "skelaug/data/ntu_import.h"
#include "skelaug/data/ntu_skeleton.h"

namespace skelaug::data {
namespace {

constexpr std::uint64_t kIdA = 72057594037931101ULL;  // real NTU bodyIDs are this large
constexpr std::uint64_t kIdB = 72057594037931102ULL;

// A body in one frame of a test file; every position is a distinct value, so a column or line read off by one
// shows up as a wrong number.
struct FakeBody {
  std::uint64_t id;
  float tag;  // separates bodies: x = tag + ...
};

float position(float tag, int frame, int joint, int coord) {
  return tag + static_cast<float>(frame) * 0.125f + static_cast<float>(joint) * 0.0078125f +
         static_cast<float>(coord) * 1.5f - 0.75f;
}

// The text of a .skeleton file in the real layout, with sentinels in every column the importer must not take for a
// position (depth, colour, orientation, tracking state).
std::string ntu_text(const std::vector<std::vector<FakeBody>>& frames, const std::string& eol = "\n") {
  std::string text = fmt::format("{}{}", frames.size(), eol);
  for (std::size_t f = 0; f < frames.size(); ++f) {
    text += fmt::format("{}{}", frames[f].size(), eol);
    for (const auto& body : frames[f]) {
      text += fmt::format("{} 0 1 1 1 1 0 -0.2377 0.1843 2{}", body.id, eol);
      text += fmt::format("25{}", eol);
      for (int j = 0; j < kNtuJoints; ++j) {
        const int frame = static_cast<int>(f);
        text += fmt::format("{} {} {} 277.{} 191.5 1032.75 541.25 -0.2{} 0.04 0.96 -0.03 2{}",
                            position(body.tag, frame, j, 0), position(body.tag, frame, j, 1),
                            position(body.tag, frame, j, 2), j, j, eol);
      }
    }
  }
  return text;
}

const std::string kWhere = "S001C001P001R001A001.skeleton";

// Positions of `body` in its appearance `k`, which was recording frame `frame`, match what ntu_text wrote.
void expect_positions(const NtuBody& body, std::size_t k, float tag, int frame) {
  ASSERT_LT(k, body.frames.size());
  EXPECT_EQ(body.frames[k], frame);
  for (int j = 0; j < kNtuJoints; ++j) {
    for (int c = 0; c < 3; ++c) {
      ASSERT_EQ(body.joints[(k * kNtuJoints + j) * 3 + c], position(tag, frame, j, c))
          << "appearance " << k << " joint " << j << " coord " << c;
    }
  }
}

TEST(NtuSkeletonParser, ReadsXyzFromTheFirstThreeColumnsOfEveryJointLine) {
  const auto recording = parse_ntu_skeleton(ntu_text({{{kIdA, 1}}, {{kIdA, 1}}, {{kIdA, 1}}}), kWhere);
  EXPECT_EQ(recording.frame_count, 3);
  ASSERT_EQ(recording.bodies.size(), 1u);
  EXPECT_EQ(recording.bodies[0].body_id, kIdA);
  ASSERT_EQ(recording.bodies[0].joints.size(), 3u * 25 * 3);
  for (int f = 0; f < 3; ++f) expect_positions(recording.bodies[0], f, 1, f);
}

TEST(NtuSkeletonParser, CrlfAndLfGiveTheSameRecording) {
  const std::vector<std::vector<FakeBody>> frames{{{kIdA, 1}}, {}, {{kIdA, 1}, {kIdB, 5}}};
  const auto lf = parse_ntu_skeleton(ntu_text(frames, "\n"), kWhere);
  const auto crlf = parse_ntu_skeleton(ntu_text(frames, "\r\n"), kWhere);
  ASSERT_EQ(lf.bodies.size(), 2u);
  ASSERT_EQ(crlf.bodies.size(), 2u);
  for (std::size_t b = 0; b < 2; ++b) {
    EXPECT_EQ(lf.bodies[b].frames, crlf.bodies[b].frames);
    EXPECT_EQ(lf.bodies[b].joints, crlf.bodies[b].joints);
  }
  expect_positions(crlf.bodies[1], 0, 5, 2);
}

TEST(NtuSkeletonParser, FramesWithoutBodiesAreCountedButGiveNoPoses) {
  const auto recording = parse_ntu_skeleton(ntu_text({{}, {{kIdA, 2}}, {}, {{kIdA, 2}}, {}}), kWhere);
  EXPECT_EQ(recording.frame_count, 5);
  ASSERT_EQ(recording.bodies.size(), 1u);
  EXPECT_EQ(recording.bodies[0].frames, (std::vector<std::int64_t>{1, 3}));
  expect_positions(recording.bodies[0], 0, 2, 1);
  expect_positions(recording.bodies[0], 1, 2, 3);

  const auto empty = parse_ntu_skeleton(ntu_text({{}, {}}), kWhere);
  EXPECT_EQ(empty.frame_count, 2);
  EXPECT_TRUE(empty.bodies.empty());
  EXPECT_TRUE(parse_ntu_skeleton("0\r\n", kWhere).bodies.empty());
}

TEST(NtuSkeletonParser, BodiesAreFollowedByIdWhateverTheirOrderInAFrame) {
  // B appears first in frame 0 and second in frame 1; A is absent from frame 0.
  const auto recording =
      parse_ntu_skeleton(ntu_text({{{kIdB, 10}}, {{kIdA, 20}, {kIdB, 10}}, {{kIdB, 10}, {kIdA, 20}}}), kWhere);
  ASSERT_EQ(recording.bodies.size(), 2u);
  const NtuBody& b = recording.bodies[0];  // first seen
  const NtuBody& a = recording.bodies[1];
  EXPECT_EQ(b.body_id, kIdB);
  EXPECT_EQ(a.body_id, kIdA);
  EXPECT_EQ(b.frames, (std::vector<std::int64_t>{0, 1, 2}));
  EXPECT_EQ(a.frames, (std::vector<std::int64_t>{1, 2}));
  for (int k = 0; k < 3; ++k) expect_positions(b, k, 10, k);
  expect_positions(a, 0, 20, 1);
  expect_positions(a, 1, 20, 2);
}

TEST(NtuSkeletonParser, ABodyListedTwiceInAFrameKeepsItsFirstPose) {
  const auto recording = parse_ntu_skeleton(ntu_text({{{kIdA, 1}, {kIdA, 7}}, {{kIdA, 1}}}), kWhere);
  ASSERT_EQ(recording.bodies.size(), 1u);
  EXPECT_EQ(recording.bodies[0].frames, (std::vector<std::int64_t>{0, 1}));
  expect_positions(recording.bodies[0], 0, 1, 0);
}

TEST(NtuSkeletonParser, ExponentsAndTrailingBlankLinesAreAccepted) {
  std::string text = ntu_text({{{kIdA, 1}}});
  const std::size_t first_x = text.find("\n25\n") + 4;
  text.replace(first_x, text.find(' ', first_x) - first_x, "-2.5e-01");
  text += "\n  \n\r\n";
  const auto recording = parse_ntu_skeleton(text, kWhere);
  EXPECT_EQ(recording.bodies[0].joints[0], -0.25f);
  // A value too small for a float reads as (almost) zero rather than failing.
  text.replace(first_x, 8, "1e-60");
  EXPECT_EQ(parse_ntu_skeleton(text, kWhere).bodies[0].joints[0], 0.0f);
}

TEST(NtuBodyMotion, IsTheSummedPerCoordinateVariance) {
  NtuBody still;
  still.frames = {0, 1, 2};
  still.joints.assign(3 * 75, 3.25f);
  EXPECT_EQ(body_motion(still), 0.0);

  NtuBody moving;  // every coordinate alternates 0, 1: variance 1/4 each, 75 coordinates
  moving.frames = {0, 1};
  moving.joints.assign(75, 0.0f);
  moving.joints.insert(moving.joints.end(), 75, 1.0f);
  EXPECT_DOUBLE_EQ(body_motion(moving), 75 * 0.25);
  EXPECT_EQ(body_motion(NtuBody{}), 0.0);
}

TEST(NtuBodyMotion, TheMainActorIsTheBodyThatMovesMostNotTheFirstOrLongest) {
  // Body A (seen first, in every frame) stands still; body B moves between frames.
  auto recording = parse_ntu_skeleton(ntu_text({{{kIdA, 0}}, {{kIdA, 0}, {kIdB, 0}}, {{kIdA, 0}, {kIdB, 0}}}), kWhere);
  ASSERT_EQ(recording.bodies.size(), 2u);
  // Freeze A: copy its first pose over the others.
  auto& a = recording.bodies[0].joints;
  for (std::size_t k = 1; k < recording.bodies[0].frames.size(); ++k) {
    std::copy(a.begin(), a.begin() + 75, a.begin() + static_cast<std::ptrdiff_t>(k * 75));
  }
  EXPECT_EQ(bodies_by_motion(recording), (std::vector<std::size_t>{1, 0}));
  // Equal motion: the earlier-seen body first.
  recording.bodies[1].joints.assign(recording.bodies[1].joints.size(), 0.5f);
  EXPECT_EQ(bodies_by_motion(recording), (std::vector<std::size_t>{0, 1}));
}

TEST(NtuRecordingName, ReadsEveryFieldOfTheFileName) {
  const auto name = parse_ntu_name("/data/nturgb+d_skeletons/S017C003P020R002A060.skeleton");
  EXPECT_EQ(name.setup, 17);
  EXPECT_EQ(name.camera, 3);
  EXPECT_EQ(name.performer, 20);
  EXPECT_EQ(name.replication, 2);
  EXPECT_EQ(name.action, 60);
  EXPECT_EQ(parse_ntu_name("S032C001P106R001A120.skeleton").performer, 106);
  EXPECT_EQ(parse_ntu_name("S032C001P106R001A120.skeleton").action, 120);
}

TEST(NtuRecordingName, RejectsOtherNamesNamingTheFile) {
  for (const std::string bad :
       {"S01C003P020R002A060.skeleton", "s017c003p020r002a060.skeleton", "clip.skeleton",
        "S017C003P020R002A06x.skeleton", "S017C003P020R002A0600.skeleton", "S017X003P020R002A060.skeleton"}) {
    try {
      parse_ntu_name(bad);
      ADD_FAILURE() << bad;
    } catch (const core::UserError& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("SsssCcccPpppRrrrAaaa"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(parse_ntu_name("S001C001P001R001A121.skeleton"), core::UserError);
  EXPECT_THROW(parse_ntu_name("S001C001P001R001A000.skeleton"), core::UserError);
}

TEST(NtuSplits, FollowTheStandardProtocols) {
  const auto split_of = [](int setup, int camera, int performer, NtuSplit split) {
    return ntu_split_of(NtuRecordingName{setup, camera, performer, 1, 1}, split);
  };
  // Cross-subject: NTU 60's list for performers 1-40, NTU 120's additions above.
  for (int p : {1, 2, 4, 5, 8, 9, 13, 19, 25, 27, 28, 31, 34, 35, 38, 45, 59, 70, 74, 78, 86, 89, 98, 100, 103}) {
    EXPECT_EQ(split_of(1, 1, p, NtuSplit::kCrossSubject), "train") << p;
  }
  for (int p : {3, 6, 7, 10, 11, 12, 20, 21, 26, 29, 30, 32, 33, 36, 37, 39, 40, 41, 44, 48, 51, 60, 99, 101, 106}) {
    EXPECT_EQ(split_of(1, 1, p, NtuSplit::kCrossSubject), "test") << p;
  }
  EXPECT_EQ(split_of(1, 1, 3, NtuSplit::kCrossView), "test");
  EXPECT_EQ(split_of(1, 2, 3, NtuSplit::kCrossView), "train");
  EXPECT_EQ(split_of(1, 3, 3, NtuSplit::kCrossView), "train");
  EXPECT_EQ(split_of(2, 1, 3, NtuSplit::kCrossSetup), "train");
  EXPECT_EQ(split_of(17, 1, 3, NtuSplit::kCrossSetup), "test");
  EXPECT_EQ(split_of(1, 1, 1, NtuSplit::kNone), "");
}

TEST(NtuActionNames, AreTheOfficialHundredAndTwenty) {
  const auto& names = ntu_action_names();
  ASSERT_EQ(names.size(), 120u);
  EXPECT_EQ(names[0], "drink water");
  EXPECT_EQ(names[5], "pickup");
  EXPECT_EQ(names[22], "hand waving");
  EXPECT_EQ(names[42], "falling");
  EXPECT_EQ(names[59], "walking apart from each other");
  EXPECT_EQ(names[60], "put on headphone");
  EXPECT_EQ(names[79], "squat down");
  EXPECT_EQ(names[92], "shake fist");
  EXPECT_EQ(names[98], "running on the spot");
  EXPECT_EQ(names[101], "side kick");
  EXPECT_EQ(names[119], "finger-guessing game (playing rock-paper-scissors)");
}

// A fresh directory for files, removed afterwards.
class NtuFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("skelaug_ntu_test_{}_{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(NtuFiles, MainBodyImportLabelsEveryClipFromItsName) {
  // Two bodies that move alike (the same steps from frame to frame): a tie, which the earlier-seen body wins.
  std::vector<std::vector<FakeBody>> frames;
  for (int f = 0; f < 4; ++f) frames.push_back({{kIdA, 0}, {kIdB, 3}});
  const std::string two_bodies = ntu_text(frames);
  const auto files = std::vector<std::filesystem::path>{
      write("S002C002P003R001A050.skeleton", ntu_text({{}, {{kIdA, 1}}, {{kIdA, 1}}, {}}, "\r\n")),
      write("S001C001P001R002A010.skeleton", two_bodies)};
  NtuImportOptions options;
  options.split = NtuSplit::kCrossSubject;
  const auto dataset = import_ntu_skeletons(files, options);
  dataset.validate("test");
  EXPECT_EQ(dataset.topology, "ntu25");
  EXPECT_EQ(dataset.fps, 30);
  EXPECT_EQ(dataset.class_names.size(), 60u);
  ASSERT_EQ(dataset.size(), 2u);
  EXPECT_EQ(dataset.labels, (std::vector<std::int64_t>{49, 9}));
  EXPECT_EQ(dataset.frames(0), 2);
  EXPECT_EQ(dataset.frames(1), 4);
  const auto first = dataset.info(0);
  EXPECT_EQ(first.subject, 3);
  EXPECT_EQ(first.camera, 2);
  EXPECT_EQ(first.body, 0);
  EXPECT_EQ(first.split, "test");
  EXPECT_EQ(first.source, files[0].string());
  EXPECT_EQ(dataset.info(1).split, "train");
  EXPECT_EQ(dataset.clip_data(0)[0], position(1, 1, 0, 0));  // first kept frame is recording frame 1
  EXPECT_EQ(dataset.clip_data(0)[75 + 74], position(1, 2, 24, 2));
  EXPECT_EQ(dataset.clip_data(1)[0], position(0, 0, 0, 0));
}

TEST_F(NtuFiles, BothBodiesImportRanksBodiesByMotion) {
  // Two bodies: A still (one pose repeated), B walking; written by hand so A's frames are identical.
  std::string text = "3\n";
  for (int f = 0; f < 3; ++f) {
    text += "2\n";
    const auto body = [&](std::uint64_t id, float tag, int frame) {
      std::string lines = fmt::format("{} 0 1 1 1 1 0 0.1 0.1 2\n25\n", id);
      for (int j = 0; j < 25; ++j) {
        lines += fmt::format("{} {} {} 1 1 1 1 1 0 0 0 2\n", position(tag, frame, j, 0), position(tag, frame, j, 1),
                             position(tag, frame, j, 2));
      }
      return lines;
    };
    text += body(kIdA, 0, 0) + body(kIdB, 9, f);
  }
  const auto file = write("S003C001P045R001A061.skeleton", text);
  NtuImportOptions options;
  options.bodies = NtuBodies::kBoth;
  options.split = NtuSplit::kCrossView;
  const auto dataset = import_ntu_skeletons({file}, options);
  dataset.validate("test");
  EXPECT_EQ(dataset.class_names.size(), 120u);  // an action above 60
  ASSERT_EQ(dataset.size(), 2u);
  EXPECT_EQ(dataset.body, (std::vector<std::int64_t>{0, 1}));
  EXPECT_EQ(dataset.labels, (std::vector<std::int64_t>{60, 60}));
  EXPECT_EQ(dataset.split, (std::vector<std::string>{"test", "test"}));
  EXPECT_EQ(dataset.clip_data(0)[75], position(9, 1, 0, 0));  // frame 1 of B, the mover, body 0
  EXPECT_EQ(dataset.clip_data(1)[75], position(0, 0, 0, 0));  // frame 1 of A, which holds its pose
  EXPECT_EQ(dataset.source, (std::vector<std::string>{file.string(), file.string()}));

  options.max_bodies = 1;
  EXPECT_EQ(import_ntu_skeletons({file}, options).size(), 1u);
  options.classes = 60;
  EXPECT_THROW(import_ntu_skeletons({file}, options), core::UserError);
}

TEST_F(NtuFiles, RecordingsWithoutBodiesAreSkippedAndAllEmptyIsAnError) {
  const auto empty = write("S001C001P001R001A001.skeleton", ntu_text({{}, {}}));
  const auto full = write("S001C001P001R001A002.skeleton", ntu_text({{{kIdA, 1}}}));
  EXPECT_EQ(import_ntu_skeletons({empty, full}, {}).size(), 1u);
  EXPECT_THROW(import_ntu_skeletons({empty}, {}), core::UserError);
}

// Each bad file gives one UserError "<file>:<line>: <problem>".
TEST_F(NtuFiles, BadFilesNameTheFileAndLine) {
  const std::string good =
      ntu_text({{{kIdA, 1}}, {{kIdA, 1}}});  // line 1 the frame count, 2..29 frame 0, 30..57 frame 1
  std::vector<std::string> lines;
  for (std::size_t at = 0; at < good.size();) {
    const auto end = good.find('\n', at);
    lines.push_back(good.substr(at, end - at));
    at = end + 1;
  }
  ASSERT_EQ(lines.size(), 57u);
  const auto join = [](const std::vector<std::string>& parts, std::size_t count) {
    std::string text;
    for (std::size_t i = 0; i < count; ++i) text += parts[i] + "\r\n";
    return text;
  };
  const auto with_line = [&](int number, const std::string& replacement) {
    auto copy = lines;
    copy[number - 1] = replacement;
    return join(copy, copy.size());
  };
  const auto without_last_value = [&](int number) {
    return with_line(number, lines[number - 1].substr(0, lines[number - 1].rfind(' ')));
  };
  struct Case {
    std::string text;
    std::string expected;
  };
  const std::vector<Case> cases{
      {join(lines, 40), ":41: the file ends early: expected a joint line (frame 2 of 2)"},
      {good.substr(0, good.size() - 40), ":57: expected 12 numbers, got"},
      {join(lines, 29), ":30: the file ends early: expected a body count (frame 2 of 2)"},
      {without_last_value(27), ":27: expected 12 numbers, got 11"},
      {with_line(27, lines[26] + " 7"), ":27: expected 12 numbers, got 13"},
      {with_line(10, "0.1 0.2 abc 1 1 1 1 1 1 1 1 2"), ":10: 'abc' is not a number"},
      {with_line(10, "0.1 0.2 0.3x 1 1 1 1 1 1 1 1 2"), ":10: '0.3x' is not a number"},
      {with_line(10, "0.1 nan 0.3 1 1 1 1 1 1 1 1 2"), ":10: 'nan' is not a finite number"},
      {with_line(10, "0.1 0.2 -inf 1 1 1 1 1 1 1 1 2"), ":10: '-inf' is not a finite number"},
      {with_line(10, "0.1 0.2 1e999 1 1 1 1 1 1 1 1 2"), ":10: '1e999' is out of range"},
      {with_line(4, "24"), ":4: expected 25 joints, got 24"},
      {with_line(32, "26"), ":32: expected 25 joints, got 26"},
      {with_line(4, "25.0"), ":4: the joint count '25.0' is not an integer"},
      {with_line(1, "3"), ":58: the file ends early: expected a body count (frame 3 of 3)"},
      {with_line(1, "1"), ":30: more content than the 1 frames the first line declares"},
      {with_line(1, "999999999999999999"), ":58: the file ends early"},
      {with_line(1, ""), ":1: expected the frame count, got an empty line"},
      {with_line(2, "-1"), ":2: the body count -1 is negative"},
      {with_line(2, "2"), ":30: expected 10 numbers (a body's info line), got 1"},  // frame 1's body count
      {with_line(3, "72057594037931101 0 1 1 1 1 0 -0.2 0.1"), ":3: expected 10 numbers (a body's info line), got 9"},
      {with_line(3, "body 0 1 1 1 1 0 -0.2 0.1 2"), ":3: the bodyID 'body' is not an integer"},
      {with_line(3, "-5 0 1 1 1 1 0 -0.2 0.1 2"), ":3: the bodyID '-5' is not an integer"},
      {with_line(3, "1 0 1 1 1 1 0 -0.2 0.1 x"), ":3: 'x' is not a number"},
      {with_line(12, std::string("\x01\xff\x7f garbage", 11)), ":12: '?\?\?' is not a number"},
      {"", ":1: the file is empty: expected the frame count"},
      {"\x89PNG\r\n\x1a\n", ":1: the frame count '?PNG' is not an integer"},
  };
  for (const auto& c : cases) {
    const auto file = write("S001C001P001R001A001.skeleton", c.text);
    try {
      read_ntu_skeleton(file);
      ADD_FAILURE() << "no error for the case expecting " << c.expected;
    } catch (const core::UserError& e) {
      const std::string message = e.what();
      EXPECT_EQ(message.rfind(file.string() + c.expected, 0), 0u) << message << "\n  expected " << c.expected;
      EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
  }
  // Through the importer too: the same error, nothing else.
  const auto file = write("S001C001P001R001A001.skeleton", without_last_value(27));
  try {
    import_ntu_skeletons({file}, {});
    ADD_FAILURE() << "no error";
  } catch (const core::UserError& e) {
    EXPECT_EQ(std::string(e.what()), file.string() + ":27: expected 12 numbers, got 11");
  }
}

// Random damage to valid files: every outcome is a clean UserError "<file>:<line>: ..." or a consistent recording.
TEST(NtuSkeletonFuzz, DamagedFilesGiveUserErrorsOrValidRecordings) {
  const std::vector<std::string> seeds{
      ntu_text({{{kIdA, 1}}, {{kIdA, 1}}, {{kIdA, 1}}}),
      ntu_text({{}, {{kIdA, 1}, {kIdB, 2}}, {{kIdB, 2}}, {}}, "\r\n"),
      ntu_text({{{kIdB, 2}, {kIdA, 1}}, {{kIdA, 1}, {kIdB, 2}}}),
      ntu_text({{}, {}}),
  };
  const std::regex error_pattern("^" + std::regex_replace(kWhere, std::regex(R"([.+])"), R"(\$&)") + ":[0-9]+: .+");
  std::mt19937_64 random(20261124);
  const auto pick = [&random](std::size_t n) -> std::size_t {
    return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(random);
  };
  const auto line_span = [](const std::string& text, std::size_t at) {
    const std::size_t begin = text.rfind('\n', at) == std::string::npos ? 0 : text.rfind('\n', at) + 1;
    const std::size_t end = std::min(text.find('\n', at), text.size() - 1) + 1;
    return std::make_pair(begin, end);
  };
  static const std::string kJunk[] = {"nan",
                                      "inf",
                                      "-",
                                      ".",
                                      "e",
                                      "1e",
                                      "1e400",
                                      "0x1p3",
                                      "+1",
                                      "--1",
                                      "25",
                                      "0",
                                      "99999999999999999999",
                                      "\r",
                                      "\n",
                                      " ",
                                      "\t",
                                      std::string(1, '\0')};
  int errors = 0;
  int parsed = 0;
  const auto start = std::chrono::steady_clock::now();
  constexpr int kIterations = 30000;
  for (int iteration = 0; iteration < kIterations; ++iteration) {
    std::string text = seeds[pick(seeds.size())];
    const int mutations = 1 + static_cast<int>(pick(3));
    for (int m = 0; m < mutations && !text.empty(); ++m) {
      const std::size_t at = pick(text.size());
      switch (pick(7)) {
        case 0:  // cut the file short
          text.resize(at);
          break;
        case 1:  // flip one byte to anything
          text[at] = static_cast<char>(pick(256));
          break;
        case 2:  // drop a run of bytes
          text.erase(at, 1 + pick(64));
          break;
        case 3: {  // drop a line
          const auto [begin, end] = line_span(text, at);
          text.erase(begin, end - begin);
          break;
        }
        case 4: {  // duplicate a line
          const auto [begin, end] = line_span(text, at);
          text.insert(begin, text.substr(begin, end - begin));
          break;
        }
        case 5:  // insert a troublesome token
          text.insert(at, kJunk[pick(std::size(kJunk))]);
          break;
        default:  // change a digit into another digit (keeps the syntax, changes counts and values)
          if (text[at] >= '0' && text[at] <= '9') text[at] = static_cast<char>('0' + pick(10));
          break;
      }
    }
    try {
      const auto recording = parse_ntu_skeleton(text, kWhere);
      ++parsed;
      for (const auto& body : recording.bodies) {
        ASSERT_EQ(body.joints.size(), body.frames.size() * 75);
        ASSERT_FALSE(body.frames.empty());
        for (std::size_t k = 0; k < body.frames.size(); ++k) {
          ASSERT_LT(body.frames[k], recording.frame_count);
          if (k > 0) {
            ASSERT_GT(body.frames[k], body.frames[k - 1]);
          }
        }
        for (const float value : body.joints) ASSERT_TRUE(std::isfinite(value));
      }
      ASSERT_EQ(bodies_by_motion(recording).size(), recording.bodies.size());
    } catch (const core::UserError& e) {
      ++errors;
      const std::string message = e.what();
      ASSERT_TRUE(std::regex_match(message, error_pattern)) << message;
      ASSERT_EQ(message.find('\n'), std::string::npos) << message;
    } catch (const std::exception& e) {
      FAIL() << "not a UserError: " << typeid(e).name() << ": " << e.what();
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(errors + parsed, kIterations);
  EXPECT_GT(errors, kIterations / 2);  // the mutations do break most files
  EXPECT_GT(parsed, 0);                // and some damage leaves a valid file (a changed digit in a value)
  EXPECT_LT(seconds, 20);
  std::printf("%d damaged files: %d errors, %d parsed, %.2f s\n", kIterations, errors, parsed, seconds);
}

}  // namespace
}  // namespace skelaug::data
