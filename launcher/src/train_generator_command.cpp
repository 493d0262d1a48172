// `skelaug train generator`: data-parallel diffusion training of the conditional skeleton generator.
#include "skelaug/launcher/command_registry.h"
#include "skelaug/launcher/job.h"
#include "skelaug/training/generator_training.h"

namespace skelaug::launcher {

void register_train_generator_command(CommandRegistry& registry, const GlobalOptions& options) {
  auto* group = registry.group("train", kTrainGroupDescription);
  add_job_command(registry, group, "generator",
                  "Train the conditional diffusion generator: mpirun -np N skelaug train generator --config FILE "
                  "[key=value ...]",
                  options, [](Job& job) {
                    return training::train_generator(training::generator_training_options(job.config()), job.world());
                  });
}

}  // namespace skelaug::launcher
