// `skelaug data import ntu-skeleton`: NTU RGB+D 60/120 raw .skeleton files into a dataset on the ntu25 topology.
#include <map>
#include <memory>
#include <string>

#include "data_commands.h"
#include "skelaug/data/input_files.h"
#include "skelaug/data/ntu_import.h"

namespace skelaug::launcher {
namespace {

// The command-line spelling of the options, turned into data::NtuImportOptions when the command runs.
struct NtuOptionText {
  std::string bodies = "main";
  std::string split = "none";
  int max_bodies = 2;
  std::string classes = "auto";
};

data::NtuImportOptions to_import_options(const NtuOptionText& text) {
  static const std::map<std::string, data::NtuSplit> kSplits{{"none", data::NtuSplit::kNone},
                                                             {"xsub", data::NtuSplit::kCrossSubject},
                                                             {"xview", data::NtuSplit::kCrossView},
                                                             {"xset", data::NtuSplit::kCrossSetup}};
  data::NtuImportOptions options;
  options.bodies = text.bodies == "both" ? data::NtuBodies::kBoth : data::NtuBodies::kMain;
  options.split = kSplits.at(text.split);  // CLI11 has already checked the value
  options.max_bodies = text.max_bodies;
  options.classes = text.classes == "auto" ? 0 : std::stoi(text.classes);
  return options;
}

}  // namespace

void register_import_ntu_skeleton(CommandRegistry& registry, CLI::App* import_group) {
  auto request = std::make_shared<ImportRequest>();
  auto text = std::make_shared<NtuOptionText>();
  auto* command =
      add_import_command(registry, import_group, "ntu-skeleton",
                         "NTU RGB+D 60/120 raw .skeleton files (SsssCcccPpppRrrrAaaa.skeleton; label = action - 1)",
                         request, [request, text] {
                           const auto files = data::expand_inputs(request->inputs, {".skeleton"});
                           return data::import_ntu_skeletons(files, to_import_options(*text));
                         });
  command
      ->add_option("--bodies", text->bodies,
                   "main: one clip per file, the body that moves most; both: one clip per body, most motion first")
      ->check(CLI::IsMember({"main", "both"}))
      ->capture_default_str();
  command
      ->add_option("--split", text->split,
                   "evaluation split column: xsub (NTU 120 training performers, which extend NTU 60's), "
                   "xview (cameras 2, 3 train; 1 tests), xset (even setups train), none")
      ->check(CLI::IsMember({"none", "xsub", "xview", "xset"}))
      ->capture_default_str();
  command->add_option("--max-bodies", text->max_bodies, "with --bodies both: keep at most N bodies per file")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  command
      ->add_option("--classes", text->classes,
                   "class names: 60 (NTU RGB+D 60), 120 (NTU RGB+D 120), auto (60 unless an action is above 60)")
      ->check(CLI::IsMember({"auto", "60", "120"}))
      ->capture_default_str();
}

}  // namespace skelaug::launcher
