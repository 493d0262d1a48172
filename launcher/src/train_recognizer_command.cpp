// `skelaug train recognizer`: data-parallel training of a skeleton action recogniser (ST-GCN++, CTR-GCN, MS-G3D,
// BlockGCN, or the a2m_gru feature recogniser of the generation metrics) on real clips, optionally mixed with extra
// (generated) ones, evaluated on the held-out split after every epoch.
#include "skelaug/launcher/command_registry.h"
#include "skelaug/launcher/job.h"
#include "skelaug/training/recognizer_training.h"

namespace skelaug::launcher {

void register_train_recognizer_command(CommandRegistry& registry, const GlobalOptions& options) {
  auto* group = registry.group("train", kTrainGroupDescription);
  add_job_command(registry, group, "recognizer",
                  "Train an action recogniser (or the a2m_gru feature recogniser): mpirun -np N skelaug train "
                  "recognizer --config FILE [key=value ...]",
                  options, [](Job& job) {
                    return training::train_recognizer(training::recognizer_training_options(job.config()),
                                                      job.world());
                  });
}

}  // namespace skelaug::launcher
