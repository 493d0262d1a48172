// `skelaug data ...`: dataset information, merging, import, export and the built-in demo dataset.
#include "data_commands.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <numeric>

#include "skelaug/core/atomic_file.h"
#include "skelaug/core/error.h"
#include "skelaug/data/dataset_io.h"
#include "skelaug/data/topology_file.h"

namespace skelaug::launcher {
namespace {

std::string summary(const data::SkeletonDataset& dataset) {
  return fmt::format("{} clips, {} frames, {} classes, topology {}, {} fps", dataset.size(), dataset.total_frames(),
                     dataset.class_names.size(), dataset.topology, dataset.fps);
}

int print_info(const std::string& file) {
  const auto dataset = data::load_dataset(file);
  std::vector<std::int64_t> lengths(dataset.size());
  for (std::size_t i = 0; i < dataset.size(); ++i) lengths[i] = dataset.frames(i);
  std::sort(lengths.begin(), lengths.end());
  std::string text = fmt::format("{}\n  {}\n", file, summary(dataset));
  if (!lengths.empty()) {
    const double mean = std::accumulate(lengths.begin(), lengths.end(), 0.0) / static_cast<double>(lengths.size());
    text += fmt::format("  frames per clip: min {}, median {}, mean {:.1f}, max {}\n", lengths.front(),
                        lengths[lengths.size() / 2], mean, lengths.back());
  }
  std::vector<std::int64_t> counts(dataset.class_names.size(), 0);
  for (const auto label : dataset.labels) ++counts[static_cast<std::size_t>(label)];
  text += "  classes:\n";
  for (std::size_t c = 0; c < counts.size(); ++c) {
    text += fmt::format("    {:>3} {:<28} {:>6} clips\n", c, dataset.class_names[c], counts[c]);
  }
  const auto distinct = [](std::vector<std::int64_t> values) {
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    values.erase(std::remove(values.begin(), values.end(), -1), values.end());
    return values.size();
  };
  if (!dataset.subject.empty()) text += fmt::format("  subjects: {}\n", distinct(dataset.subject));
  if (!dataset.camera.empty()) text += fmt::format("  cameras: {}\n", distinct(dataset.camera));
  if (!dataset.body.empty()) text += fmt::format("  bodies per recording: up to {}\n", distinct(dataset.body));
  if (!dataset.split.empty()) {
    std::vector<std::string> names = dataset.split;
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    text += "  splits:";
    for (const auto& name : names) {
      text += fmt::format(" {}={}", name.empty() ? "(none)" : name,
                          std::count(dataset.split.begin(), dataset.split.end(), name));
    }
    text += "\n";
  }
  if (!dataset.gen_seed.empty()) {
    const auto generated = std::count_if(dataset.gen_seed.begin(), dataset.gen_seed.end(),
                                         [](std::int64_t seed) { return seed >= 0; });
    text += fmt::format("  generated clips: {} (provenance columns gen_exemplar, gen_seed, gen_rounds, gen_deviation, "
                        "gen_confidence)\n",
                        generated);
  }
  std::fputs(text.c_str(), stdout);
  return core::kSuccess;
}

struct MergeRequest {
  std::vector<std::string> inputs;
  std::string output;
};

// Dataset files and sample sets, in the order given, as one dataset file.
int merge(const MergeRequest& request) {
  auto merged = data::load_dataset(request.inputs.front());
  for (std::size_t i = 1; i < request.inputs.size(); ++i) {
    try {
      merged.append(data::load_dataset(request.inputs[i]));
    } catch (const core::UserError& error) {
      throw core::UserError(fmt::format("{}: {}", request.inputs[i], error.what()));
    }
  }
  data::save_dataset(request.output, merged);
  std::fputs(fmt::format("{}: {}\n", request.output, summary(merged)).c_str(), stdout);
  return core::kSuccess;
}

struct TopologyRequest {
  std::string source;
  std::string output;
};

// A topology's definition as a topology file: of a built-in, of a topology file (checked, normalised), or the one a
// dataset file carries.
int print_topology(const TopologyRequest& request) {
  const auto extension = std::filesystem::path(request.source).extension();
  const bool dataset = extension == ".npz" || std::filesystem::is_directory(request.source);
  const auto& topology = dataset ? data::topology(data::load_dataset(request.source).topology)
                                 : data::topology_from(request.source);
  const auto text = data::topology_yaml(topology);
  if (request.output.empty()) {
    std::fputs(text.c_str(), stdout);
  } else {
    core::write_file_atomically(request.output, text);
    std::fputs(fmt::format("{}: topology {} ({} joints)\n", request.output, topology.name, topology.num_joints()).c_str(),
               stdout);
  }
  return core::kSuccess;
}

}  // namespace

CLI::App* add_import_command(CommandRegistry& registry, CLI::App* import_group, const std::string& name,
                             const std::string& description, const std::shared_ptr<ImportRequest>& request,
                             std::function<data::SkeletonDataset()> load) {
  auto* command = registry.add(import_group, name, description, [request, load = std::move(load)] {
    const auto dataset = load();
    data::save_dataset(request->output, dataset);
    std::fputs(fmt::format("{}: {}\n", request->output, summary(dataset)).c_str(), stdout);
    return core::kSuccess;
  });
  command->add_option("inputs", request->inputs, "input files or directories (searched recursively)")->required();
  command->add_option("-o,--output", request->output, "the dataset file to write (.npz)")->required();
  return command;
}

void register_data_commands(CommandRegistry& registry, const GlobalOptions&) {
  auto* group = registry.group("data", "Skeleton datasets: inspect, merge, import, export, the demo dataset");
  auto file = std::make_shared<std::string>();
  registry.add(group, "info", "Clip count, classes with counts, frame-length statistics, topology and fps",
               [file] { return print_info(*file); })
      ->add_option("file", *file, "dataset file (.npz) or sample set (a `skelaug sample` directory)")
      ->required();
  auto merge_request = std::make_shared<MergeRequest>();
  auto* merge_command = registry.add(
      group, "merge",
      "Dataset files and sample sets, in the order given, as one dataset file (the same inputs give the same bytes): "
      "skelaug data merge SAMPLES_DIR [MORE ...] -o OUT.npz",
      [merge_request] { return merge(*merge_request); });
  merge_command->add_option("inputs", merge_request->inputs, "dataset files (.npz) or sample set directories")
      ->required();
  merge_command->add_option("-o,--output", merge_request->output, "the dataset file to write (.npz)")->required();

  auto topology_request = std::make_shared<TopologyRequest>();
  auto* topology_command = registry.add(
      group, "topology",
      "A topology's definition as a topology file (YAML) to copy and edit: skelaug data topology ntu25|FILE.yaml|"
      "DATA.npz [-o OUT.yaml]",
      [topology_request] { return print_topology(*topology_request); });
  topology_command
      ->add_option("topology", topology_request->source,
                   "a built-in name, a topology file (checked and printed as skelaug reads it) or a dataset file")
      ->required();
  topology_command->add_option("-o,--output", topology_request->output, "write it here instead of stdout");

  auto* import_group = registry.group(group, "import", "Convert a public dataset format into a skelaug dataset file");
  auto* export_group = registry.group(group, "export", "Convert a skelaug dataset file into another tool's format");
  // Importers and exporters register here, one line each.
  register_data_demo(registry, group);
  register_data_noisy_copies(registry, group);
  register_data_split(registry, group);
  register_import_bvh(registry, import_group);
  register_import_text(registry, import_group);
  register_import_ntu_skeleton(registry, import_group);
  register_import_pickle_formats(registry, import_group);
  register_export_pyskl(registry, export_group);
}

}  // namespace skelaug::launcher
