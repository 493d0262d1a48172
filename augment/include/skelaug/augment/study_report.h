#pragma once

#include <filesystem>
#include <vector>

namespace skelaug::augment {

struct StudyReportFiles {
  std::filesystem::path markdown;  // report.md: the tables, linking the pictures
  std::filesystem::path csv;       // results.csv: one row per recogniser, fraction and arm
  std::filesystem::path json;      // report.json: every number, per seed too
  std::vector<std::filesystem::path> pictures;
};

// The report of a study that `skelaug augment run` wrote (its plan.json and the stages' results) into `output`
// (<study>/report when empty). Per recogniser, fraction and arm: held-out top-1 of the last epoch, mean and 95%
// t-interval over seeds, every seed's value, the paired differences to `real` and to `real_matched` (where the study
// has it) with their intervals, the best epoch's top-1 beside it (chosen on the test split, so marked), per-class
// gains; for generated arms the set's FID, accuracy, diversity,
// multimodality and the refinement's acceptance; the copying check (each generated clip's distance to its nearest
// real training clip and nearest held-out clip, against the real training clips' own distance to the held-out ones);
// plots (top-1 against fraction, held-out curves, the copying distances) and one rendered grid per class (real
// exemplars beside their generated clips). Runs whose results are missing are counted, not guessed: a cell shows
// how many seeds it holds. A core::UserError when the study directory holds no plan.
StudyReportFiles write_study_report(const std::filesystem::path& study_directory, std::filesystem::path output = {});

}  // namespace skelaug::augment
