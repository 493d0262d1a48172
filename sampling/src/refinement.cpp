#include "skelaug/sampling/refinement.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "skelaug/core/config.h"
#include "skelaug/core/error.h"
#include "skelaug/data/data_config.h"
#include "skelaug/data/topology.h"
#include "skelaug/evaluation/clip_plausibility.h"
#include "skelaug/evaluation/generation_evaluation.h"
#include "skelaug/evaluation/value_lists.h"
#include "skelaug/models/checkpoint_weights.h"
#include "skelaug/models/recognizer_config.h"

namespace skelaug::sampling {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr std::int64_t kScoreBatch = 128;

}  // namespace

const char* check_name(int check) {
  static constexpr std::array<const char*, kCheckCount> kNames = {"max_deviation", "min_deviation", "min_confidence",
                                                                   "max_bone_error", "max_jitter"};
  return kNames.at(static_cast<std::size_t>(check));
}

void RefinementStats::add(const RefinementStats& other) {
  items += other.items;
  accepted += other.accepted;
  dropped += other.dropped;
  rounds += other.rounds;
  redraws += other.redraws;
  for (int c = 0; c < kCheckCount; ++c) rejections[static_cast<std::size_t>(c)] += other.rejections[static_cast<std::size_t>(c)];
  for (const auto& [name, counts] : other.per_class) {
    auto& mine = per_class[name];
    mine[0] += counts[0];
    mine[1] += counts[1];
  }
}

nlohmann::json RefinementStats::to_json() const {
  const auto rate = [](std::int64_t part, std::int64_t whole) {
    return whole == 0 ? nlohmann::json() : nlohmann::json(static_cast<double>(part) / static_cast<double>(whole));
  };
  nlohmann::json rejected = nlohmann::json::object();
  for (int c = 0; c < kCheckCount; ++c) rejected[check_name(c)] = rejections[static_cast<std::size_t>(c)];
  nlohmann::json classes = nlohmann::json::object();
  for (const auto& [name, counts] : per_class) {
    classes[name] = {{"items", counts[0]}, {"accepted", counts[1]}, {"acceptance", rate(counts[1], counts[0])}};
  }
  return {{"items", items},     {"accepted", accepted},   {"dropped", dropped},
          {"acceptance", rate(accepted, items)},        {"rounds", rounds},
          {"redraws", redraws}, {"rejections", rejected}, {"per_class", classes}};
}

RefinementStats RefinementStats::from_json(const nlohmann::json& json) {
  RefinementStats stats;
  stats.items = json.at("items").get<std::int64_t>();
  stats.accepted = json.at("accepted").get<std::int64_t>();
  stats.dropped = json.at("dropped").get<std::int64_t>();
  stats.rounds = json.at("rounds").get<std::int64_t>();
  stats.redraws = json.at("redraws").get<std::int64_t>();
  for (int c = 0; c < kCheckCount; ++c) {
    stats.rejections[static_cast<std::size_t>(c)] = json.at("rejections").at(check_name(c)).get<std::int64_t>();
  }
  for (const auto& [name, counts] : json.at("per_class").items()) {
    stats.per_class[name] = {counts.at("items").get<std::int64_t>(), counts.at("accepted").get<std::int64_t>()};
  }
  return stats;
}

std::string RefinementStats::summary() const {
  std::string rejected;
  for (int c = 0; c < kCheckCount; ++c) {
    if (rejections[static_cast<std::size_t>(c)] > 0) {
      rejected += fmt::format("{}{} {}", rejected.empty() ? "" : ", ", check_name(c), rejections[static_cast<std::size_t>(c)]);
    }
  }
  return fmt::format("refinement: {} of {} items accepted ({:.1f}%), {} dropped; {} refinement rounds, {} redraws; "
                     "rejections: {}",
                     accepted, items, items == 0 ? 0.0 : 100.0 * static_cast<double>(accepted) / static_cast<double>(items),
                     dropped, rounds, redraws, rejected.empty() ? "none" : rejected);
}

LabelScorer::LabelScorer(const std::filesystem::path& run_directory, const core::Config& run_config,
                         const RefineSettings& settings, const data::SkeletonDataset& generated_like,
                         const torch::Device& device)
    : preprocessing_(data::data_options(run_config).loader), device_(device) {
  const auto data = data::data_options(run_config);
  const auto test = data::load_test_set(data);
  const auto& trained_on = *test.dataset;
  if (trained_on.topology != generated_like.topology || trained_on.class_names != generated_like.class_names) {
    throw core::UserError(fmt::format("sample.refine.recognizer: {} was trained on topology {} with {} classes; the "
                                      "generator's data has topology {} with {} classes (and they must be the same "
                                      "classes in the same order)",
                                      run_directory.string(), trained_on.topology, trained_on.class_names.size(),
                                      generated_like.topology, generated_like.class_names.size()));
  }
  model_ = models::make_configured_recognizer(models::recognizer_settings(run_config).for_dataset(generated_like));
  models::load_checkpoint_weights(models::final_checkpoint(run_directory, "sample.refine.recognizer"),
                                  models::kModelWeights, *model_);
  model_->to(device_);

  thresholds_.assign(generated_like.class_names.size(), settings.min_confidence);
  if (settings.auto_confidence) {
    const auto scored = evaluation::embed_clips(*model_, test.dataset, test.clips, preprocessing_, device_, kScoreBatch);
    std::vector<std::vector<double>> by_class(thresholds_.size());
    const auto labels = evaluation::to_doubles(scored.labels);
    const auto confidences = evaluation::to_doubles(scored.label_confidence);
    for (std::size_t i = 0; i < labels.size(); ++i) by_class[static_cast<std::size_t>(labels[i])].push_back(confidences[i]);
    for (std::size_t c = 0; c < by_class.size(); ++c) {
      if (by_class[c].empty()) {
        throw core::UserError(fmt::format("sample.refine.min_confidence: auto needs held-out clips of every class; {} "
                                          "has none of class '{}'",
                                          run_directory.string(), generated_like.class_names[c]));
      }
      thresholds_[c] = evaluation::linear_quantile(by_class[c], settings.confidence_quantile);
    }
  }
}

at::Tensor LabelScorer::confidence(const std::shared_ptr<const data::SkeletonDataset>& clips) const {
  return evaluation::embed_clips(*model_, clips, {}, preprocessing_, device_, kScoreBatch).label_confidence;
}

double LabelScorer::threshold(std::int64_t label) const { return thresholds_.at(static_cast<std::size_t>(label)); }

ClipJudge::ClipJudge(const RefineSettings& settings, const data::SkeletonDataset& generator_dataset,
                     bool uses_exemplars, std::optional<LabelScorer> scorer)
    : settings_(settings),
      topology_(generator_dataset.topology),
      fps_(generator_dataset.fps),
      uses_exemplars_(uses_exemplars),
      scorer_(std::move(scorer)) {
  if (!uses_exemplars) {
    for (const auto& [value, key] : {std::pair{settings.max_deviation, "max_deviation"},
                                     std::pair{settings.min_deviation, "min_deviation"},
                                     std::pair{settings.max_bone_error, "max_bone_error"}}) {
      if (value > 0) {
        throw core::UserError(fmt::format("sample.refine.{}: compares a clip with its exemplar, and this generator "
                                          "is label-conditioned (no exemplars)",
                                          key));
      }
    }
  }
}

Verdicts ClipJudge::judge(const std::shared_ptr<const data::SkeletonDataset>& clips, const at::Tensor& joints,
                          const at::Tensor& exemplars, const at::Tensor& exemplar_mask) const {
  const auto count = static_cast<std::size_t>(joints.size(0));
  Verdicts verdicts;
  verdicts.deviation.assign(count, kNaN);
  verdicts.confidence.assign(count, kNaN);
  verdicts.failed.assign(count, -1);
  const auto all_frames = at::ones({joints.size(0), joints.size(1)}, at::kDouble);
  const auto& topology = data::topology(topology_);
  std::vector<double> bone_error, jitter;
  if (uses_exemplars_) {
    const auto deviation = evaluation::root_aligned_deviation(joints, all_frames, exemplars, exemplar_mask);
    const auto values = evaluation::to_doubles(deviation);
    verdicts.deviation.assign(values.begin(), values.end());
    if (settings_.max_bone_error > 0) {
      // The exemplar's mean bone lengths over its real frames: its performer's skeleton.
      const auto lengths = evaluation::bone_lengths(exemplars.to(at::kDouble), topology);  // [B, T, E]
      const auto weights = exemplar_mask.to(at::kDouble).unsqueeze(-1);
      const auto reference = (lengths * weights).sum(1) / weights.sum(1).clamp_min(1);
      bone_error = evaluation::to_doubles(evaluation::clip_bone_length_error(joints, all_frames, reference, topology));
    }
  }
  if (settings_.max_jitter > 0) jitter = evaluation::to_doubles(evaluation::clip_jitter(joints, all_frames, fps_));
  if (scorer_) {
    const auto confidence = scorer_->confidence(clips);
    const auto values = evaluation::to_doubles(confidence);
    verdicts.confidence.assign(values.begin(), values.end());
  }
  for (std::size_t i = 0; i < count; ++i) {
    const auto fail = [&](int check, bool failed) {
      if (failed && verdicts.failed[i] < 0) verdicts.failed[i] = check;
    };
    fail(kTooFar, settings_.max_deviation > 0 && !(verdicts.deviation[i] <= settings_.max_deviation));
    fail(kNearCopy, settings_.min_deviation > 0 && !(verdicts.deviation[i] >= settings_.min_deviation));
    fail(kLowConfidence, scorer_ && !(verdicts.confidence[i] >= scorer_->threshold(clips->labels[i])));
    fail(kBoneError, !bone_error.empty() && !(bone_error[i] <= settings_.max_bone_error));
    fail(kJitter, !jitter.empty() && !(jitter[i] <= settings_.max_jitter));
  }
  return verdicts;
}

}  // namespace skelaug::sampling
