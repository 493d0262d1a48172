// `skelaug data demo -o demo.npz`: writes the built-in procedural dataset (see skelaug/data/demo_dataset.h).
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "data_commands.h"
#include "skelaug/core/error.h"
#include "skelaug/data/dataset_io.h"
#include "skelaug/data/demo_dataset.h"

namespace skelaug::launcher {

void register_data_demo(CommandRegistry& registry, CLI::App* data_group) {
  struct Request {
    data::DemoOptions options;
    std::string output;
  };
  auto request = std::make_shared<Request>();
  auto* command = registry.add(
      data_group, "demo",
      "Write the built-in procedural demo dataset (hml22, 20 fps, 14 actions, subject-wise train/test split)",
      [request] {
        const auto dataset = data::make_demo_dataset(request->options);
        data::save_dataset(request->output, dataset);
        const auto train = std::count(dataset.split.begin(), dataset.split.end(), "train");
        std::fputs(fmt::format("{}: {} clips ({} train, {} test), {} frames, {} classes, {} subjects, topology {}, "
                               "{} fps, seed {}\n",
                               request->output, dataset.size(), train, dataset.size() - static_cast<std::size_t>(train),
                               dataset.total_frames(), dataset.class_names.size(), request->options.subjects,
                               dataset.topology, dataset.fps, request->options.seed)
                       .c_str(),
                   stdout);
        return core::kSuccess;
      });
  auto& options = request->options;
  command->add_option("-o,--output", request->output, "the dataset file to write (.npz)")->required();
  command->add_option("--seed", options.seed, "random seed; the same seed gives the same file")->capture_default_str();
  command->add_option("--clips-per-class", options.clips_per_class, "clips of each action")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  command->add_option("--subjects", options.subjects, "performers; 70% of them (rounded) form the train split")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  command->add_option("--min-frames", options.min_frames, "shortest clip, frames")
      ->check(CLI::Range(2, 100000))
      ->capture_default_str();
  command->add_option("--max-frames", options.max_frames, "longest clip, frames")
      ->check(CLI::Range(2, 100000))
      ->capture_default_str();
  command->add_option("--noise", options.noise, "scale of the joint-angle and root noise (0: clean motion)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
}

}  // namespace skelaug::launcher
