#include "skelaug/data/subject_split.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "skelaug/core/error.h"

namespace skelaug::data {
namespace {

// Clips of subjects 1-4 (two each, the second of subject 4 unsplit): 1, 2, 3 train, 4 test.
SkeletonDataset four_subjects() {
  SkeletonDataset dataset;
  dataset.topology = "hml22";
  dataset.fps = 20;
  dataset.class_names = {"a", "b"};
  const std::vector<float> frames(2 * 22 * 3, 0.f);
  for (std::int64_t subject = 1; subject <= 4; ++subject) {
    for (std::int64_t label = 0; label < 2; ++label) {
      ClipInfo info;
      info.subject = subject;
      info.split = subject == 4 ? (label == 0 ? "test" : "") : "train";
      dataset.add_clip(frames.data(), 2, label, info);
    }
  }
  return dataset;
}

std::string error_of(SkeletonDataset dataset, const std::set<std::int64_t>& subjects, const std::string& to) {
  try {
    split_by_subject(dataset, "d.npz", "train", subjects, to);
  } catch (const core::UserError& error) {
    return error.what();
  }
  return "";
}

TEST(SubjectSplit, MovesTheNamedSubjectsTrainingClipsAndNothingElse) {
  auto dataset = four_subjects();
  const auto counts = split_by_subject(dataset, "d.npz", "train", {2, 3}, "validation");
  EXPECT_EQ(counts.moved, 4);
  EXPECT_EQ(counts.kept, 2);
  EXPECT_EQ(dataset.split, (std::vector<std::string>{"train", "train", "validation", "validation", "validation",
                                                     "validation", "test", ""}));
  // Labels and joints are untouched.
  EXPECT_EQ(dataset.labels, four_subjects().labels);
  EXPECT_EQ(dataset.joints, four_subjects().joints);
}

TEST(SubjectSplit, RefusesWhatWouldNotBeAValidationSplitNamingTheFile) {
  EXPECT_EQ(error_of(four_subjects(), {4}, "validation"), "d.npz: subject 4 has no clip in split 'train'");
  EXPECT_EQ(error_of(four_subjects(), {1, 2, 3}, "validation"),
            "d.npz: moving these subjects would leave split 'train' without clips");
  EXPECT_EQ(error_of(four_subjects(), {1}, "test"), "d.npz: split 'test' already names clips (clip 6)");
  EXPECT_EQ(error_of(four_subjects(), {1}, "train"), "d.npz: the new split's name must be neither empty nor 'train'");
  EXPECT_EQ(error_of(four_subjects(), {}, "validation"), "d.npz: no subject named to move");
  auto anonymous = four_subjects();
  anonymous.subject.clear();
  EXPECT_EQ(error_of(anonymous, {1}, "validation"), "d.npz: the clips have no subject ids ('subject' column)");
}

}  // namespace
}  // namespace skelaug::data
