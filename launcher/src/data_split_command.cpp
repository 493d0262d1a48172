// `skelaug data split`: a validation split of whole subjects carved out of the training split.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "data_commands.h"
#include "skelaug/core/error.h"
#include "skelaug/data/dataset_io.h"
#include "skelaug/data/subject_split.h"

namespace skelaug::launcher {
namespace {

struct SplitRequest {
  std::string input;
  std::string output;
  std::string from = "train";
  std::vector<std::int64_t> subjects;
  std::string to = "validation";
};

int write_split(const SplitRequest& request) {
  auto dataset = data::load_dataset(request.input);
  const std::set<std::int64_t> subjects(request.subjects.begin(), request.subjects.end());
  const auto counts = data::split_by_subject(dataset, request.input, request.from, subjects, request.to);
  data::save_dataset(request.output, dataset);
  std::fputs(fmt::format("{}: {} clips of subjects {} moved from split '{}' to '{}'; {} left in '{}'\n",
                         request.output, counts.moved, fmt::join(subjects, ","), request.from, request.to,
                         counts.kept, request.from)
                 .c_str(),
             stdout);
  return core::kSuccess;
}

}  // namespace

void register_data_split(CommandRegistry& registry, CLI::App* data_group) {
  auto request = std::make_shared<SplitRequest>();
  auto* command = registry.add(
      data_group, "split",
      "A validation split of whole subjects carved out of the training split (the other clips keep theirs): skelaug "
      "data split DATA.npz --subjects 7,9 -o DATA_VAL.npz; train with data.train_split=train, validate with "
      "data.test_split=validation",
      [request] { return write_split(*request); });
  command->add_option("input", request->input, "the dataset file (.npz) with subject ids and splits")->required();
  command->add_option("-o,--output", request->output, "the dataset file to write (.npz)")->required();
  command->add_option("--subjects", request->subjects, "the subjects whose clips move (comma-separated ids)")
      ->delimiter(',')
      ->required();
  command->add_option("--from", request->from, "the split they leave")->capture_default_str();
  command->add_option("--to", request->to, "the split they join (a new name)")->capture_default_str();
}

}  // namespace skelaug::launcher
