// The plain-text importer: both layouts, column meanings, delimiters, units and up axes, the file's joint order onto
// the topology's, all-zero frames dropped, names parsed by pattern, classes and splits; malformed text refused naming
// file and line, also under random damage.
#include "skelaug/data/text_import.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "scratch_directory_test.h"
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>

#include "skelaug/core/error.h"
#include "skelaug/data/topology.h"

namespace skelaug::data {
namespace {

namespace fs = std::filesystem;

// Three joints stored in the order (b, root, c): the topology's joint i is the file's joint file_joint[i].
TextFormat three_joints() {
  TextFormat format;
  format.joints = 3;
  format.file_joint = {1, 0, 2};
  return format;
}

std::string user_error(const std::string& text, const TextFormat& format) {
  try {
    parse_skeleton_text(text, format, "clip.txt");
  } catch (const core::UserError& error) {
    return error.what();
  }
  return "(accepted)";
}

TEST(TextColumns, NameXYZOnceAndSkipTheRest) {
  const auto columns = parse_text_columns("_,z,x,c,y");
  EXPECT_EQ(columns.count, 5);
  EXPECT_EQ(columns.x, 2);
  EXPECT_EQ(columns.y, 4);
  EXPECT_EQ(columns.z, 1);
  EXPECT_THROW(parse_text_columns("x,y"), core::UserError);
  EXPECT_THROW(parse_text_columns("x,y,z,x"), core::UserError);
  EXPECT_THROW(parse_text_columns("x,y,z,w"), core::UserError);
}

TEST(SkeletonText, JointRowsInFileOrderBecomeTopologyOrder) {
  auto format = three_joints();
  format.columns = parse_text_columns("x,y,z,c");
  const auto clip = parse_skeleton_text(
      "# b, root, c\n1 2 3 1\n0 0 0.5 1\r\n7 8 9 0\n\n2 2 3 1\n0 0 1.5 1\n7 8 9 1\n", format, "clip.txt");
  ASSERT_EQ(clip.frames, 2);
  EXPECT_EQ(clip.dropped_frames, 0);
  EXPECT_EQ(clip.joints, (std::vector<float>{0, 0, 0.5f, 1, 2, 3, 7, 8, 9, 0, 0, 1.5f, 2, 2, 3, 7, 8, 9}));
}

TEST(SkeletonText, FrameRowsDelimitersScaleAndUpAxis) {
  auto format = three_joints();
  format.layout = TextLayout::kFrameRows;
  format.delimiter = ',';
  format.scale = 0.001;  // millimetres
  format.up_axis = 2;    // z up: (x, y, z) -> (x, z, -y)
  const auto clip = parse_skeleton_text("1000, 2000, 3000, 0,0,500, 7000,8000,9000\n", format, "clip.txt");
  ASSERT_EQ(clip.frames, 1);
  const std::vector<float> expected{0, 0.5f, 0, 1, 3, -2, 7, 9, -8};
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(clip.joints[i], expected[i], 1e-6) << i;
}

TEST(SkeletonText, FramesWithEveryJointAtZeroAreDroppedAndCounted) {
  const auto format = three_joints();
  const auto clip = parse_skeleton_text("0 0 0\n0 0 0\n0 0 0\n1 1 1\n0 0 0\n0 0 0\n", format, "clip.txt");
  EXPECT_EQ(clip.frames, 1);
  EXPECT_EQ(clip.dropped_frames, 1);
  EXPECT_EQ(parse_skeleton_text("0 0 0\n0 0 0\n0 0 0\n", format, "clip.txt").frames, 0);
}

TEST(SkeletonText, MalformedTextNamesFileAndLine) {
  const auto format = three_joints();
  EXPECT_EQ(user_error("1 2 3\n1 2\n", format), "clip.txt:2: expected 3 values (one joint per row), got 2");
  EXPECT_EQ(user_error("1 2 3\n1 nan 3\n", format), "clip.txt:2: 'nan' is not a finite number");
  EXPECT_EQ(user_error("1 2 3\n1 1e999 3\n", format), "clip.txt:2: '1e999' is not a finite number");
  EXPECT_EQ(user_error("1 2 3\n4 5 6\n7 8 9\n1 2 3\n\n", format), "clip.txt:4: the file ends mid-frame (1 of 3 joints)");
  EXPECT_EQ(user_error("1 2 0x10\n", format), "clip.txt:1: '0x10' is not a finite number");
}

TEST(SkeletonText, RandomDamageGivesLineErrorsOrConsistentClips) {
  const std::string seed = "1 2 3\n0 0 0.5\n7 8 9\n2 2 3\n0 0 1.5\n7 8 9\n";
  const std::regex error_pattern(R"(^clip\.txt:[0-9]+: .+)");
  std::mt19937_64 random(20261201);
  const auto pick = [&random](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(random); };
  static const std::string kJunk[] = {"nan", "-", ".", "1e", "1e400", "\n", " ", "\t", "\r", "#", "0", std::string(1, '\0')};
  int errors = 0, parsed = 0;
  for (int iteration = 0; iteration < 5000; ++iteration) {
    auto text = seed;
    for (int m = 0, mutations = 1 + static_cast<int>(pick(3)); m < mutations && !text.empty(); ++m) {
      const auto at = pick(text.size());
      switch (pick(4)) {
        case 0: text.resize(at); break;
        case 1: text[at] = static_cast<char>(pick(256)); break;
        case 2: text.erase(at, 1 + pick(8)); break;
        default: text.insert(at, kJunk[pick(std::size(kJunk))]);
      }
    }
    try {
      const auto clip = parse_skeleton_text(text, three_joints(), "clip.txt");
      ASSERT_EQ(clip.joints.size(), static_cast<std::size_t>(clip.frames) * 9) << text;
      for (const float v : clip.joints) ASSERT_TRUE(std::isfinite(v)) << text;
      ++parsed;
    } catch (const core::UserError& error) {
      ASSERT_TRUE(std::regex_match(std::string(error.what()), error_pattern)) << error.what();
      ++errors;
    }
  }
  EXPECT_GT(errors, 100);
  EXPECT_GT(parsed, 100);
}

TEST(TextFileNames, FieldsComeFromThePattern) {
  const auto name = parse_text_file_name("a13_s09_e02_skeleton3D.txt", "a{label}_s{subject}_e{repetition}_skeleton3D.txt");
  EXPECT_EQ(name.label, "13");
  EXPECT_EQ(name.subject, 9);
  EXPECT_EQ(name.repetition, 2);
  EXPECT_EQ(parse_text_file_name("wave.person3.csv", "{label}.person{subject}.csv").label, "wave");
  EXPECT_THROW(parse_text_file_name("readme.txt", "a{label}_s{subject}.txt"), core::UserError);
  EXPECT_THROW(parse_text_file_name("a1.txt", "a{class}.txt"), core::UserError);
  EXPECT_THROW(parse_text_file_name("a1.txt", "a{subject}.txt"), core::UserError);  // no {label}
}

class TextImport : public testing::ScratchDirectoryTest {};

TEST_F(TextImport, ClassesSubjectsAndSplitsFromTheNames) {
  // vibe18 files with one frame each: every joint at (s, label, 1), so each clip says where it came from.
  const auto clip = [](int value, int label) {
    std::string text;
    for (int j = 0; j < 18; ++j) text += fmt::format("{} {} 1\n", value, label);
    return text;
  };
  std::vector<fs::path> files;
  for (const int label : {10, 2}) {
    for (const int subject : {1, 2, 3}) files.push_back(write(fmt::format("a{}_s{}.txt", label, subject), clip(subject, label)));
  }
  files.push_back(write("a2_s4.txt", std::string(18 * 6, ' ') + "\n" + [] {
                          std::string zeros;
                          for (int j = 0; j < 18; ++j) zeros += "0 0 0\n";
                          return zeros;
                        }()));
  files.push_back(write("notes.txt", "not a recording"));
  TextImportOptions options;
  options.topology = "vibe18";
  options.fps = 15;
  options.name_pattern = "a{label}_s{subject}.txt";
  options.train_subjects = {1, 3};
  const auto dataset = import_text_files(files, options);
  ASSERT_EQ(dataset.size(), 6u);  // a2_s4 has no tracked frame, notes.txt matches no name
  EXPECT_EQ(dataset.class_names, (std::vector<std::string>{"2", "10"}));  // numerically
  EXPECT_EQ(dataset.topology, "vibe18");
  EXPECT_EQ(dataset.fps, 15);
  for (std::size_t i = 0; i < dataset.size(); ++i) {
    const auto info = dataset.info(i);
    EXPECT_EQ(info.subject, static_cast<std::int64_t>(dataset.clip_data(i)[0]));
    EXPECT_EQ(dataset.class_names[static_cast<std::size_t>(dataset.labels[i])],
              std::to_string(static_cast<int>(dataset.clip_data(i)[1])));
    EXPECT_EQ(info.split, info.subject == 2 ? "test" : "train");
    EXPECT_EQ(fs::path(info.source).parent_path(), directory_);
  }
  options.label_map = write("labels.yaml", "\"2\": wave\n\"10\": kick\n").string();
  EXPECT_EQ(import_text_files(files, options).class_names, (std::vector<std::string>{"wave", "kick"}));
  options.label_map = write("labels.yaml", "\"2\": wave\n").string();
  EXPECT_THROW(import_text_files(files, options), core::UserError);  // label 10 unmapped
}

}  // namespace
}  // namespace skelaug::data
