#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "skelaug/data/skeleton_dataset.h"
#include "skelaug/launcher/command_registry.h"

namespace skelaug::launcher {

// What every `skelaug data import <kind>` takes: input files or directories, and the output dataset file.
struct ImportRequest {
  std::vector<std::string> inputs;
  std::string output;
};

// Registers `skelaug data import <name> INPUT... -o OUT.npz`. `load` reads the request's inputs into a dataset; the
// command then validates it, writes it atomically (nothing is left behind on error) and prints a one-line summary.
// Kind-specific options are added by the caller on the returned CLI::App.
CLI::App* add_import_command(CommandRegistry& registry, CLI::App* import_group, const std::string& name,
                             const std::string& description, const std::shared_ptr<ImportRequest>& request,
                             std::function<data::SkeletonDataset()> load);

// One function per importer / exporter, each in its own file; all called from register_data_commands().
void register_import_ntu_skeleton(CommandRegistry& registry, CLI::App* import_group);
void register_import_bvh(CommandRegistry& registry, CLI::App* import_group);
void register_import_text(CommandRegistry& registry, CLI::App* import_group);
void register_import_pickle_formats(CommandRegistry& registry, CLI::App* import_group);
void register_export_pyskl(CommandRegistry& registry, CLI::App* export_group);
void register_data_demo(CommandRegistry& registry, CLI::App* data_group);
void register_data_noisy_copies(CommandRegistry& registry, CLI::App* data_group);
void register_data_split(CommandRegistry& registry, CLI::App* data_group);

}  // namespace skelaug::launcher
