// `skelaug data export pyskl`: a dataset file as a PYSKL annotation pickle.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>

#include "data_commands.h"
#include "skelaug/core/error.h"
#include "skelaug/data/dataset_io.h"
#include "skelaug/data/pyskl_export.h"

namespace skelaug::launcher {
namespace {

struct PysklExportRequest {
  std::string input;
  std::string output;
  std::string split_prefix = "xsub";
};

}  // namespace

void register_export_pyskl(CommandRegistry& registry, CLI::App* export_group) {
  auto request = std::make_shared<PysklExportRequest>();
  auto* command = registry.add(
      export_group, "pyskl", "A PYSKL annotation pickle (split + annotations with keypoint (M, T, V, 3))", [request] {
        const auto dataset = data::load_dataset(request->input);
        data::export_pyskl(dataset, request->output, request->split_prefix);
        std::fputs(fmt::format("{}: {} clips from {}\n", request->output, dataset.size(), request->input).c_str(),
                   stdout);
        return core::kSuccess;
      });
  command->add_option("input", request->input, "dataset file (.npz)")->required();
  command->add_option("-o,--output", request->output, "the pickle to write (.pkl)")->required();
  command
      ->add_option("--split-name", request->split_prefix,
                   "split prefix: train clips go to NAME_train, test clips to NAME_val, others to NAME_<split>")
      ->capture_default_str();
}

}  // namespace skelaug::launcher
