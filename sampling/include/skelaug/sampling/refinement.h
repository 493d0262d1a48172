#pragma once

#include <ATen/Tensor.h>
#include <torch/torch.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "skelaug/data/skeleton_dataset.h"
#include "skelaug/data/skeleton_loader.h"
#include "skelaug/models/recognizer.h"
#include "skelaug/sampling/sample_config.h"

namespace skelaug::core {
class Config;
}  // namespace skelaug::core

namespace skelaug::sampling {

// The parts of the generative refinement module that can reject a clip, in the order they are checked.
enum Check : int { kTooFar, kNearCopy, kLowConfidence, kBoneError, kJitter, kCheckCount };
// The key that sets the check: "max_deviation", "min_deviation", "min_confidence", "max_bone_error", "max_jitter".
const char* check_name(int check);

// What the module did over a set of items (a chunk, or the whole set once the chunks' are added up).
struct RefinementStats {
  std::int64_t items = 0;
  std::int64_t accepted = 0;
  std::int64_t dropped = 0;  // still rejected after every round and draw
  std::int64_t rounds = 0;   // refinement rounds run
  std::int64_t redraws = 0;  // fresh draws after the first
  std::array<std::int64_t, kCheckCount> rejections{};  // per check, over every clip judged
  std::map<std::string, std::array<std::int64_t, 2>> per_class;  // class name: {items, accepted}

  void add(const RefinementStats& other);
  nlohmann::json to_json() const;  // with acceptance rates
  static RefinementStats from_json(const nlohmann::json& json);
  std::string summary() const;  // one line for the log and stdout
};

// The recogniser of sample.refine.recognizer: the probability it gives each clip's own label, and in `auto` mode the
// per-class threshold (its confidence_quantile of that probability on its own real held-out clips of the class).
class LabelScorer {
 public:
  // run_config: the recogniser run's config.yaml; its final weights are the newest RUN/checkpoints/checkpoint-*.pt
  // (not RUN/best, chosen on its held-out clips: in a study, the test split). core::UserError when the
  // recogniser's topology or class list differs from `generated_like` (the generator's training file), or a class
  // has no held-out clip in `auto` mode.
  LabelScorer(const std::filesystem::path& run_directory, const core::Config& run_config,
              const RefineSettings& settings, const data::SkeletonDataset& generated_like, const torch::Device& device);

  at::Tensor confidence(const std::shared_ptr<const data::SkeletonDataset>& clips) const;  // [N] float64
  double threshold(std::int64_t label) const;                       // 0 when not filtering

 private:
  std::shared_ptr<models::RecognizerImpl> model_;
  data::LoaderOptions preprocessing_;
  torch::Device device_;
  std::vector<double> thresholds_;
};

// Each clip's measures and the first check it fails.
struct Verdicts {
  std::vector<float> deviation;   // NaN where not computed (label mode)
  std::vector<float> confidence;  // NaN without a recogniser
  std::vector<int> failed;        // a Check, or -1: accepted
};

// The module's filters (RefineSettings), applied to generated clips one by one: deviation from the exemplar (both
// ways), the recogniser's confidence, bone-length error against the exemplar's mean bone lengths, and jitter.
class ClipJudge {
 public:
  ClipJudge(const RefineSettings& settings, const data::SkeletonDataset& generator_dataset, bool uses_exemplars,
            std::optional<LabelScorer> scorer);

  // clips: the generated clips (fixed length, every frame real), their joints [B, T, J, 3] beside them; exemplars
  // [B, T, J, 3] and exemplar_mask [B, T] as prepared for conditioning (undefined in label mode).
  Verdicts judge(const std::shared_ptr<const data::SkeletonDataset>& clips, const at::Tensor& joints,
                 const at::Tensor& exemplars, const at::Tensor& exemplar_mask) const;

 private:
  RefineSettings settings_;
  std::string topology_;
  double fps_;
  bool uses_exemplars_;
  std::optional<LabelScorer> scorer_;
};

}  // namespace skelaug::sampling
