// `skelaug data noisy-copies`: the noise baseline's extra clips (Gaussian noise on copies of a subset's real clips).
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>

#include "data_commands.h"
#include "skelaug/core/error.h"
#include "skelaug/data/dataset_io.h"
#include "skelaug/data/noisy_copies.h"
#include "skelaug/data/transforms.h"

namespace skelaug::launcher {
namespace {

struct NoisyCopiesRequest {
  std::string input;
  std::string output;
  std::string split = "train";
  double fraction = 1.0;
  data::NoisyCopyOptions noise;
};

int write_noisy_copies(const NoisyCopiesRequest& request) {
  const auto dataset = data::load_dataset(request.input);
  // The subset a recogniser with the same data.train_split, data.fraction and run.seed trains on.
  const auto clips = data::subset_indices(dataset, request.split, request.fraction, request.noise.seed);
  const auto copies = data::noisy_copies(dataset, clips, request.noise);
  data::save_dataset(request.output, copies);
  std::fputs(fmt::format("{}: {} noisy copies of {} clips ({} per clip, noise mean {} m, std {} m)\n", request.output,
                         copies.size(), clips.size(), request.noise.copies, request.noise.mean, request.noise.std)
                 .c_str(),
             stdout);
  return core::kSuccess;
}

}  // namespace

void register_data_noisy_copies(CommandRegistry& registry, CLI::App* data_group) {
  auto request = std::make_shared<NoisyCopiesRequest>();
  auto* command = registry.add(
      data_group, "noisy-copies",
      "The noise baseline's extra clips: Gaussian noise on copies of the clips a recogniser trains on (same split, "
      "fraction and seed): skelaug data noisy-copies DATA.npz --copies 5 --fraction 0.1 --seed 1 -o NOISY.npz; train "
      "with data.extra=[NOISY.npz]",
      [request] { return write_noisy_copies(*request); });
  command->add_option("input", request->input, "the real dataset file (.npz)")->required();
  command->add_option("-o,--output", request->output, "the dataset file to write (.npz)")->required();
  command->add_option("--split", request->split, "the split copied (the recogniser's data.train_split; '' = every clip)")
      ->capture_default_str();
  command->add_option("--fraction", request->fraction, "the fraction of each class's clips (data.fraction)")
      ->check(CLI::Range(1e-6, 1.0))
      ->capture_default_str();
  command->add_option("--seed", request->noise.seed, "the subset's and the noise's seed (the recogniser's run.seed)")
      ->capture_default_str();
  command->add_option("--copies", request->noise.copies, "noisy copies per clip")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  command->add_option("--mean", request->noise.mean, "the noise's mean, metres")->capture_default_str();
  command->add_option("--std", request->noise.std, "the noise's standard deviation, metres")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
}

}  // namespace skelaug::launcher
