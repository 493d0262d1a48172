#pragma once

#include <torch/torch.h>

#include <memory>
#include <optional>
#include <vector>

#include "skelaug/data/skeleton_dataset.h"
#include "skelaug/data/skeleton_loader.h"
#include "skelaug/models/diffusion.h"
#include "skelaug/models/generator.h"
#include "skelaug/sampling/refinement.h"
#include "skelaug/sampling/sample_config.h"
#include "skelaug/sampling/work_items.h"

namespace skelaug::sampling {

struct SamplingJobOptions;

// A trained generator ready to turn work items into clips: the generator's training file (classes, topology,
// exemplars), the network with the chosen weights on its device, and the exemplars prepared as training prepared its
// clips (no augmentation; the middle window instead of a random crop).
class Sampler {
 public:
  // core::UserError naming the file or key for inputs that do not fit.
  Sampler(const SamplingJobOptions& options, const torch::Device& device);

  const data::SkeletonDataset& dataset() const { return *dataset_; }
  bool uses_exemplars() const { return uses_exemplars_; }

  struct Generated {
    data::SkeletonDataset clips;  // the accepted clips, in item order
    RefinementStats refinement;
  };

  // The clips of `items`, generated sample.batch_size at a time. Item i's noise and (on the CPU) sampling-time dropout
  // masks come from its own seeds alone (item_seed(sample.seed, id, draw), and for refinement round r a seed mixed
  // from that and r), so its clip does not depend on the items batched with it, on the rank, or on what ran before.
  // With the refinement module on (sample.refine.*), each clip is judged (ClipJudge); a rejected one is noised to
  // sample.refine.renoise_step and denoised again, up to max_rounds times, then drawn anew from the item's next seed,
  // up to max_draws draws, then dropped. Clips are in the `train` split, their source naming the exemplar's
  // ("generated from <source>"), or "generated" in label mode, with their provenance (gen_*).
  Generated generate(const std::vector<WorkItem>& items);

 private:
  SampleSettings settings_;
  torch::Device device_;
  std::shared_ptr<data::SkeletonDataset> dataset_;
  models::Generator model_{nullptr};
  bool uses_exemplars_ = false;
  std::int64_t length_ = 0;
  std::optional<data::SkeletonLoader> exemplars_;
  std::optional<models::DiffusionSchedule> schedule_;
  std::optional<ClipJudge> judge_;  // when the refinement module is on
};

}  // namespace skelaug::sampling
