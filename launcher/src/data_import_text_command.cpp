// `skelaug data import text`: one clip per plain-text file (Kinect-era datasets such as MSR Action3D, users' exports).
#include <memory>
#include <string>
#include <vector>

#include "data_commands.h"
#include "skelaug/data/input_files.h"
#include "skelaug/data/text_import.h"

namespace skelaug::launcher {
namespace {

// The command-line spelling of the options that are not data::TextImportOptions fields as they are.
struct TextOptionText {
  std::string layout = "joint-rows";
  std::vector<std::int64_t> train_subjects;
  std::vector<std::string> extensions{".txt"};
};

}  // namespace

void register_import_text(CommandRegistry& registry, CLI::App* import_group) {
  auto request = std::make_shared<ImportRequest>();
  auto options = std::make_shared<data::TextImportOptions>();
  auto text = std::make_shared<TextOptionText>();
  auto* command = add_import_command(
      registry, import_group, "text",
      "Plain-text skeleton files, one clip per file, label (subject, repetition) from the file name: skelaug data "
      "import text DIR -o OUT.npz --topology T --fps F --name-pattern 'a{label}_s{subject}_e{repetition}.txt'",
      request, [request, options, text] {
        auto resolved = *options;
        resolved.layout = text->layout == "frame-rows" ? data::TextLayout::kFrameRows : data::TextLayout::kJointRows;
        resolved.train_subjects = {text->train_subjects.begin(), text->train_subjects.end()};
        return data::import_text_files(data::expand_inputs(request->inputs, text->extensions), resolved);
      });
  command->add_option("--topology", options->topology, "a built-in topology or a topology file (FILE.yaml)")->required();
  command->add_option("--fps", options->fps, "the recordings' frame rate (text files carry none)")->required();
  command->add_option("--name-pattern", options->name_pattern,
                      "the file name with {label}, {subject} and {repetition} fields, e.g. "
                      "'a{label}_s{subject}_e{repetition}_skeleton3D.txt'")
      ->required();
  command
      ->add_option("--layout", text->layout,
                   "joint-rows: one joint per row, frame after frame; frame-rows: one frame per row")
      ->check(CLI::IsMember({"joint-rows", "frame-rows"}))
      ->capture_default_str();
  command->add_option("--columns", options->columns, "each joint's columns: x, y, z, c (confidence, read past), _ (skipped)")
      ->capture_default_str();
  command->add_option("--delimiter", options->delimiter, "one character between values (default: spaces and tabs)");
  command->add_option("--scale", options->scale, "multiply file units by this to get metres (millimetres: 0.001)")
      ->capture_default_str();
  command->add_option("--up", options->up, "the files' vertical axis, turned into skelaug's y (default: the topology's)")
      ->check(CLI::IsMember({"x", "y", "z"}));
  command->add_option("--label-map", options->label_map, "YAML mapping: label field value -> class name");
  command->add_option("--train-subjects", text->train_subjects,
                      "these subjects' clips are `train`, the others' `test` (e.g. 1,3,5,7,9)")
      ->delimiter(',');
  command->add_option("--extension", text->extensions, "file name endings searched for in directories (default .txt)")
      ->delimiter(',');
}

}  // namespace skelaug::launcher
