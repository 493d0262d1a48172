#pragma once

#include <ATen/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "skelaug/data/skeleton_dataset.h"
#include "skelaug/data/skeleton_loader.h"
#include "skelaug/evaluation/feature_metrics.h"
#include "skelaug/evaluation/fidelity_statistics.h"
#include "skelaug/models/recognizer.h"

namespace skelaug::evaluation {

// The generation-evaluation protocol of ACTOR / MDM / Action2Motion (feature_metrics.h and fidelity_statistics.h hold
// the metrics), run on a fixed, separately trained feature recogniser (architecture "a2m_gru" for the field's 30-d
// feature; any recogniser works) against a real (reference) set and a generated set:
//
//  1. Every clip of both sets is read once exactly as `skelaug train recognizer` reads clips for evaluation
//     (embed_clips below) and run through the recogniser in eval mode without gradients: its feature embed() [N, D]
//     and its top-1 prediction argmax forward() [N].
//  2. For each repetition r in [0, repetitions), with its seed s_r = core::mix_seed(seed, r):
//       A, B = two independent bootstrap resamples (N rows drawn with replacement) of the real rows,
//       G    = a bootstrap resample of the generated rows (each resample has its own stream derived from s_r);
//       FID:            real row FID(A, B) (the floor that sampling noise alone gives), generated row FID(A, G);
//       accuracy:       the recogniser's top-1 accuracy on A (real row) and on G (generated row);
//       diversity:      diversity(features, diversity_pairs, s_r) of each whole set;
//       multimodality:  multimodality(features, labels, multimodality_pairs, s_r) of each whole set (labels are the
//                       conditioning labels the generated set was sampled with).
//  3. Each metric is reported as mean_and_interval() over the repetitions: mean and 95% half-width.
//  4. Fidelity statistics (fidelity_statistics) on the joint positions of the same fixed-length, root-centred clips
//     the recogniser saw (denormalised if the loader normalises), at the real set's fps.
//
// The same options, sets and weights give the same numbers (the recogniser's arithmetic permitting: a GPU run may
// differ from a CPU run in the last digits of the features).
struct GenerationEvaluationOptions {
  int repetitions = 20;
  std::int64_t diversity_pairs = 200;
  std::int64_t multimodality_pairs = 20;  // per class
  std::uint64_t seed = 0;
  std::int64_t batch_size = 128;  // clips per recogniser call
  FidelityOptions fidelity;
};

// One set's clips as the recogniser saw them; row i is dataset clip clips[i].
struct EmbeddedSet {
  std::vector<std::int64_t> clips;
  at::Tensor features;     // [N, D] float64 CPU: embed()
  at::Tensor labels;       // [N] int64 CPU: the dataset labels
  at::Tensor predictions;  // [N] int64 CPU: argmax of forward()
  at::Tensor label_confidence;  // [N] float64 CPU: the probability softmax(forward()) gives the clip's own label
  // Only with keep_joints: the loader's fixed-length clips, joints [N, T, J, 3] float32 (root-centred as the loader
  // centres, in metres: denormalised if the loader normalises) and mask [N, T] float32, 1 = real frame.
  at::Tensor joints;
  at::Tensor mask;
};

// Runs every clip of `clips` (empty = every clip of the dataset) through `model` on `device` in eval mode without
// gradients (the model's training flag is restored afterwards), `batch_size` clips per call. Clips are read by a
// SkeletonLoader with `preprocessing`'s clip_length, length mode, centring and stats (a random crop becomes the
// centre crop), and whatever `preprocessing` says: no augmentation, no shuffling, one rank, ShardMode::kExact, clips
// in the given order, each exactly once. The model input is models::input_streams(joints [B, 1, T, J, 3], mask, topology,
// model.options().streams), as in training. Throws core::UserError when the model's topology differs from the
// dataset's, or its class count from the dataset's. `between_batches` (optional) is called before each batch with the
// number of clips embedded so far: where a caller may stop the work (by throwing).
EmbeddedSet embed_clips(models::RecognizerImpl& model, const std::shared_ptr<const data::SkeletonDataset>& dataset,
                        const std::vector<std::int64_t>& clips, const data::LoaderOptions& preprocessing,
                        const c10::Device& device, std::int64_t batch_size, bool keep_joints = false,
                        const std::function<void(std::int64_t embedded)>& between_batches = {});

// One set's row of the table: each metric's mean and 95% half-width over the repetitions, and the values they
// summarise (one per repetition, in order).
struct GenerationMetricsRow {
  std::int64_t clips = 0;
  MeanAndInterval fid;
  MeanAndInterval accuracy;  // fraction in [0, 1]
  MeanAndInterval diversity;
  MeanAndInterval multimodality;
  std::vector<double> fid_values, accuracy_values, diversity_values, multimodality_values;

  // {clips, fid: {mean, half_width, values: [...]}, accuracy: {...}, diversity: {...}, multimodality: {...}}.
  nlohmann::json to_json() const;
};

struct GenerationEvaluation {
  GenerationEvaluationOptions options;
  std::string recognizer_architecture;
  std::int64_t feature_dim = 0;
  std::string topology;
  double fps = 0;
  std::vector<std::string> class_names;
  // Classes with real clips but no generated clip (allowed; the generated set's metrics then cover fewer classes).
  std::vector<std::string> classes_missing_from_generated;
  GenerationMetricsRow real;       // the reference: real against real
  GenerationMetricsRow generated;  // generated against real
  FidelityStatistics fidelity;

  // {protocol: {repetitions, diversity_pairs, multimodality_pairs, seed, bootstrap, interval}, recognizer:
  //  {architecture, feature_dim}, topology, fps, class_names, classes_missing_from_generated, real: {...},
  //  generated: {...}, fidelity: {...}}; NaN is written as null.
  nlohmann::json to_json() const;
  // One row per set with columns FID, Accuracy, Diversity, Multimodality as "mean ± half-width", then the fidelity
  // lines.
  std::string to_table() const;
};

// The protocol above. Throws core::UserError with a one-line message naming the set for: a generated set whose
// topology, fps or class names differ from the real set's ("generated set: topology smpl24 differs from the real
// set's hml22"); a recogniser whose topology or class count does not fit; a set with fewer than 2 clips, or without a
// class of at least 2 clips (multimodality needs one); options out of range (repetitions < 1, pairs < 1,
// batch_size < 1).
GenerationEvaluation evaluate_generation(models::RecognizerImpl& model,
                                         const std::shared_ptr<const data::SkeletonDataset>& real,
                                         const std::vector<std::int64_t>& real_clips,
                                         const std::shared_ptr<const data::SkeletonDataset>& generated,
                                         const std::vector<std::int64_t>& generated_clips,
                                         const data::LoaderOptions& preprocessing, const c10::Device& device,
                                         const GenerationEvaluationOptions& options = {});

}  // namespace skelaug::evaluation
