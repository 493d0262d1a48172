#include "skelaug/evaluation/generation_evaluation.h"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/nn/module.h>
#include <torch/utils.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <utility>

#include "skelaug/core/error.h"
#include "skelaug/core/preemption.h"
#include "skelaug/core/seeding.h"
#include "skelaug/data/topology.h"
#include "skelaug/evaluation/eval_mode.h"
#include "skelaug/models/input_streams.h"

namespace skelaug::evaluation {
namespace {

nlohmann::json number_or_null(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

nlohmann::json numbers_or_null(const std::vector<double>& values) {
  auto array = nlohmann::json::array();
  for (const auto value : values) array.push_back(number_or_null(value));
  return array;
}

// `rows` row indices drawn uniformly with replacement from [0, rows): a bootstrap resample.
at::Tensor bootstrap_rows(std::int64_t rows, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<std::int64_t> drawn(static_cast<std::size_t>(rows));
  for (auto& row : drawn) row = uniform_below(random, rows);
  return at::tensor(drawn, at::kLong);
}

double accuracy_of(const EmbeddedSet& set, const at::Tensor& rows) {
  return set.predictions.index_select(0, rows)
      .eq(set.labels.index_select(0, rows))
      .to(at::kDouble)
      .mean()
      .item<double>();
}

// FID and diversity need 2 rows, multimodality a class with 2.
void check_clip_count(const data::SkeletonDataset& dataset, const std::vector<std::int64_t>& clips, const char* name) {
  const auto count = clips.empty() ? dataset.size() : clips.size();
  if (count < 2) {
    throw core::UserError(
        fmt::format("{} set: {} clip{}; the generation metrics need at least 2", name, count, count == 1 ? "" : "s"));
  }
}

void check_class_sizes(const EmbeddedSet& set, const char* name) {
  const auto clips = set.labels.size(0);
  if (at::bincount(set.labels).max().item<std::int64_t>() < 2) {
    throw core::UserError(fmt::format(
        "{} set: no class has 2 clips among its {}; multimodality needs at least one such class", name, clips));
  }
}

void check_same_sets(const data::SkeletonDataset& real, const data::SkeletonDataset& generated) {
  if (generated.topology != real.topology) {
    throw core::UserError(
        fmt::format("generated set: topology {} differs from the real set's {}", generated.topology, real.topology));
  }
  if (std::abs(generated.fps - real.fps) > 1e-6 * std::max(1.0, std::abs(real.fps))) {
    throw core::UserError(fmt::format("generated set: fps {} differs from the real set's {}", generated.fps, real.fps));
  }
  if (generated.class_names.size() != real.class_names.size()) {
    throw core::UserError(fmt::format("generated set: {} classes differ from the real set's {}",
                                      generated.class_names.size(), real.class_names.size()));
  }
  for (std::size_t c = 0; c < real.class_names.size(); ++c) {
    if (generated.class_names[c] != real.class_names[c]) {
      throw core::UserError(fmt::format("generated set: class {} is '{}', the real set's class {} is '{}'", c,
                                        generated.class_names[c], c, real.class_names[c]));
    }
  }
}

void check_options(const GenerationEvaluationOptions& options) {
  if (options.repetitions < 1) {
    throw core::UserError(
        fmt::format("generation evaluation: repetitions must be at least 1, got {}", options.repetitions));
  }
  if (options.diversity_pairs < 1 || options.multimodality_pairs < 1) {
    throw core::UserError(
        fmt::format("generation evaluation: diversity and multimodality pairs must be at least 1, got {} and {}",
                    options.diversity_pairs, options.multimodality_pairs));
  }
  if (options.batch_size < 1) {
    throw core::UserError(
        fmt::format("generation evaluation: batch size must be at least 1, got {}", options.batch_size));
  }
}

void summarise(GenerationMetricsRow& row) {
  row.fid = mean_and_interval(row.fid_values);
  row.accuracy = mean_and_interval(row.accuracy_values);
  row.diversity = mean_and_interval(row.diversity_values);
  row.multimodality = mean_and_interval(row.multimodality_values);
}

// Display width of UTF-8 text: its code points ("±" is two bytes but one column).
std::size_t display_width(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(
      text.begin(), text.end(), [](char byte) { return (static_cast<unsigned char>(byte) & 0xC0) != 0x80; }));
}

std::string pad_right(const std::string& text, std::size_t width) {
  const auto shown = display_width(text);
  return shown >= width ? text : text + std::string(width - shown, ' ');
}

std::string with_interval(const MeanAndInterval& value) {
  return fmt::format("{:.3f} ± {:.3f}", value.mean, value.half_width);
}

}  // namespace

EmbeddedSet embed_clips(models::RecognizerImpl& model, const std::shared_ptr<const data::SkeletonDataset>& dataset,
                        const std::vector<std::int64_t>& clips, const data::LoaderOptions& preprocessing,
                        const c10::Device& device, std::int64_t batch_size, bool keep_joints,
                        const std::function<void(std::int64_t embedded)>& between_batches) {
  const auto& recognizer = model.options();
  if (recognizer.topology != dataset->topology) {
    throw core::UserError(
        fmt::format("recogniser: topology {} differs from the dataset's {}", recognizer.topology, dataset->topology));
  }
  if (recognizer.num_classes != static_cast<std::int64_t>(dataset->class_names.size())) {
    throw core::UserError(fmt::format("recogniser: {} classes differ from the dataset's {}", recognizer.num_classes,
                                      dataset->class_names.size()));
  }
  if (recognizer.num_bodies != 1) {
    throw core::UserError(
        fmt::format("recogniser: reads {} bodies per clip; evaluation clips have 1", recognizer.num_bodies));
  }
  if (batch_size < 1) {
    throw core::UserError(fmt::format("embed_clips: batch size must be at least 1, got {}", batch_size));
  }
  const models::RecognizerInputs inputs(dataset->topology, recognizer.streams);

  // clip_length, length mode, centring and stats are the caller's.
  auto loading = data::evaluation_options(preprocessing, clips, batch_size, /*rank=*/0, /*world_size=*/1);
  loading.workers = 1;  // builds the next batch while the recogniser runs
  loading.prefetch_batches = 2;
  data::SkeletonLoader loader(dataset, loading);

  EmbeddedSet result;
  std::vector<at::Tensor> features, labels, predictions, confidences, joints, masks;
  {
    EvalModeGuard eval(model);
    torch::NoGradGuard no_grad;
    loader.start_epoch(0);
    while (auto batch = loader.next()) {
      if (between_batches) between_batches(static_cast<std::int64_t>(result.clips.size()));
      if (batch->labels.size(0) == 0) continue;
      const auto batch_joints = batch->joints.to(device);
      const auto batch_mask = batch->mask.to(device);
      const auto input = inputs(batch_joints, batch_mask);
      const auto embedded = model.embed(input, batch_mask);
      features.push_back(embedded.to(at::kCPU, at::kDouble));
      const auto logits = model.classify(embedded);
      predictions.push_back(logits.argmax(1).to(at::kCPU, at::kLong));
      confidences.push_back(
          logits.softmax(1).gather(1, batch->labels.to(logits.device()).unsqueeze(1)).squeeze(1).to(at::kCPU, at::kDouble));
      labels.push_back(batch->labels);
      result.clips.insert(result.clips.end(), batch->clips.begin(), batch->clips.end());
      if (keep_joints) {
        joints.push_back(loading.stats ? loading.stats->denormalise(batch->joints) : batch->joints);
        masks.push_back(batch->mask);
      }
    }
  }
  if (features.empty()) {
    throw core::UserError(fmt::format("embed_clips: no clips to embed (a dataset of {} clips, {} selected)",
                                      dataset->size(), clips.size()));
  }
  result.features = at::cat(features).contiguous();
  result.labels = at::cat(labels);
  result.predictions = at::cat(predictions);
  result.label_confidence = at::cat(confidences);
  if (keep_joints) {
    result.joints = at::cat(joints);
    result.mask = at::cat(masks);
  }
  return result;
}

nlohmann::json GenerationMetricsRow::to_json() const {
  const auto metric = [](const MeanAndInterval& summary, const std::vector<double>& values) {
    return nlohmann::json{{"mean", number_or_null(summary.mean)},
                          {"half_width", number_or_null(summary.half_width)},
                          {"values", numbers_or_null(values)}};
  };
  return {
      {"clips", clips},
      {"fid", metric(fid, fid_values)},
      {"accuracy", metric(accuracy, accuracy_values)},
      {"diversity", metric(diversity, diversity_values)},
      {"multimodality", metric(multimodality, multimodality_values)},
  };
}

nlohmann::json GenerationEvaluation::to_json() const {
  return {
      {"protocol",
       {{"repetitions", options.repetitions},
        {"diversity_pairs", options.diversity_pairs},
        {"multimodality_pairs", options.multimodality_pairs},
        {"seed", options.seed},
        {"fid",
         "real: between two bootstrap resamples of the real features; generated: bootstrap resample of the "
         "real features against one of the generated features"},
        {"accuracy", "top-1 accuracy of the recogniser on a bootstrap resample of each set"},
        {"interval", "95%: 1.96 * std (ddof 0) / sqrt(repetitions)"}}},
      {"recognizer", {{"architecture", recognizer_architecture}, {"feature_dim", feature_dim}}},
      {"topology", topology},
      {"fps", fps},
      {"class_names", class_names},
      {"classes_missing_from_generated", classes_missing_from_generated},
      {"real", real.to_json()},
      {"generated", generated.to_json()},
      {"fidelity", fidelity.to_json()},
  };
}

std::string GenerationEvaluation::to_table() const {
  constexpr std::size_t kSetWidth = 10, kClipsWidth = 7, kCellWidth = 17;
  std::string table = fmt::format("recogniser {} ({}-d features), {} repetitions, mean ± 95% half-width\n",
                                  recognizer_architecture, feature_dim, options.repetitions);
  table += pad_right("set", kSetWidth) + fmt::format("{:>{}}", "clips", kClipsWidth) + "  ";
  table += pad_right("FID", kCellWidth) + pad_right("Accuracy", kCellWidth) + pad_right("Diversity", kCellWidth) +
           "Multimodality\n";
  for (const auto& [name, row] : {std::pair<const char*, const GenerationMetricsRow*>{"real", &real},
                                  std::pair<const char*, const GenerationMetricsRow*>{"generated", &generated}}) {
    table += pad_right(name, kSetWidth) + fmt::format("{:>{}}", row->clips, kClipsWidth) + "  ";
    table += pad_right(with_interval(row->fid), kCellWidth) + pad_right(with_interval(row->accuracy), kCellWidth) +
             pad_right(with_interval(row->diversity), kCellWidth) + with_interval(row->multimodality) + "\n";
  }
  if (!classes_missing_from_generated.empty()) {
    table += fmt::format("classes without generated clips: {}\n", fmt::join(classes_missing_from_generated, ", "));
  }
  table += fmt::format(
      "fidelity (real vs generated): pose position W1 {:.4f} m, root position W1 {:.4f} m, "
      "speed W1 {:.4f} m/s\n",
      fidelity.pose_position_w1_m, fidelity.root_position_w1_m, fidelity.speed_w1_m_s);
  for (const auto& [name, set] :
       {std::pair<const char*, const SkeletonSetStatistics*>{"real", &fidelity.real},
        std::pair<const char*, const SkeletonSetStatistics*>{"generated", &fidelity.generated}}) {
    const auto skating = fidelity.foot_joints.empty()
                             ? std::string("foot skating unavailable (the topology names no foot joints)")
                             : fmt::format("foot skating {:.4f} m/s (in contact {:.1f}% of foot steps)",
                                           set->foot_skating_m_s, 100.0 * set->foot_contact_fraction);
    table += fmt::format("{:<{}} bone length deviation {:.4f} m, within-clip bone length std {:.4f} m, jitter "
                         "{:.1f} m/s^3, {}\n",
                         name, kSetWidth - 1, set->bone_length_deviation_m, set->bone_length_within_clip_std_m,
                         set->jitter_m_s3, skating);
  }
  return table;
}

GenerationEvaluation evaluate_generation(models::RecognizerImpl& model,
                                         const std::shared_ptr<const data::SkeletonDataset>& real,
                                         const std::vector<std::int64_t>& real_clips,
                                         const std::shared_ptr<const data::SkeletonDataset>& generated,
                                         const std::vector<std::int64_t>& generated_clips,
                                         const data::LoaderOptions& preprocessing, const c10::Device& device,
                                         const GenerationEvaluationOptions& options) {
  check_options(options);
  check_same_sets(*real, *generated);
  check_clip_count(*real, real_clips, "real");
  check_clip_count(*generated, generated_clips, "generated");
  // A stop signal ends the evaluation between batches: nothing is written.
  const auto stop_if_signalled = [](std::int64_t embedded) {
    core::stop_if_signalled(fmt::format("while embedding clips ({} done); nothing was written", embedded));
  };
  const auto real_set =
      embed_clips(model, real, real_clips, preprocessing, device, options.batch_size, true, stop_if_signalled);
  const auto generated_set =
      embed_clips(model, generated, generated_clips, preprocessing, device, options.batch_size, true,
                  stop_if_signalled);
  check_class_sizes(real_set, "real");
  check_class_sizes(generated_set, "generated");

  GenerationEvaluation result;
  result.options = options;
  result.recognizer_architecture = model.options().architecture;
  result.feature_dim = real_set.features.size(1);
  result.topology = real->topology;
  result.fps = real->fps;
  result.class_names = real->class_names;
  result.real.clips = real_set.labels.size(0);
  result.generated.clips = generated_set.labels.size(0);
  {
    const auto real_labels = real_set.labels.contiguous();
    const auto generated_labels = generated_set.labels.contiguous();
    const std::set<std::int64_t> in_real(real_labels.data_ptr<std::int64_t>(),
                                         real_labels.data_ptr<std::int64_t>() + real_labels.numel());
    const std::set<std::int64_t> in_generated(generated_labels.data_ptr<std::int64_t>(),
                                              generated_labels.data_ptr<std::int64_t>() + generated_labels.numel());
    for (const auto label : in_real) {
      if (in_generated.count(label) == 0) {
        result.classes_missing_from_generated.push_back(real->class_names[static_cast<std::size_t>(label)]);
      }
    }
  }

  // Streams of one repetition, each its own seed derived from the repetition's.
  enum Stream : std::uint64_t { kRealResampleA = 1, kRealResampleB = 2, kGeneratedResample = 3 };
  for (int r = 0; r < options.repetitions; ++r) {
    core::stop_if_signalled(fmt::format("after {} of {} repetitions; nothing was written", r, options.repetitions));
    const auto seed = core::mix_seed(options.seed, static_cast<std::uint64_t>(r));
    const auto rows_a = bootstrap_rows(result.real.clips, core::mix_seed(seed, kRealResampleA));
    const auto rows_b = bootstrap_rows(result.real.clips, core::mix_seed(seed, kRealResampleB));
    const auto rows_g = bootstrap_rows(result.generated.clips, core::mix_seed(seed, kGeneratedResample));
    const auto real_a = real_set.features.index_select(0, rows_a);
    result.real.fid_values.push_back(frechet_distance(real_a, real_set.features.index_select(0, rows_b)));
    result.generated.fid_values.push_back(frechet_distance(real_a, generated_set.features.index_select(0, rows_g)));
    result.real.accuracy_values.push_back(accuracy_of(real_set, rows_a));
    result.generated.accuracy_values.push_back(accuracy_of(generated_set, rows_g));
    for (auto [set, row] : {std::pair<const EmbeddedSet*, GenerationMetricsRow*>{&real_set, &result.real},
                            std::pair<const EmbeddedSet*, GenerationMetricsRow*>{&generated_set, &result.generated}}) {
      row->diversity_values.push_back(diversity(set->features, options.diversity_pairs, seed));
      row->multimodality_values.push_back(multimodality(set->features, set->labels, options.multimodality_pairs, seed));
    }
  }
  summarise(result.real);
  summarise(result.generated);

  result.fidelity = fidelity_statistics(real_set.joints, real_set.mask, generated_set.joints, generated_set.mask,
                                        data::topology(real->topology), real->fps, options.fidelity);
  return result;
}

}  // namespace skelaug::evaluation
