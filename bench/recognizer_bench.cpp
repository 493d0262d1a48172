// Recogniser training-throughput benchmark (C++ side of the C++-vs-PyTorch comparison; bench/recognizer_bench.py is
// the same five networks written in Python PyTorch, and bench/run_recognizer_bench.sh runs both and prints a table).
//   build/bench/bench_recognizer [--arch all|stgcn_pp|ctrgcn|msg3d|blockgcn|a2m_gru] [--topology hml22]
//                                [--classes 12] [--clip 48] [--batch 16] [--steps 10] [--warmup 2] [--threads N]
//                                [--base-channels 0] [--stages 10] [--device cpu|cuda] [--precision float32|bf16]
//                                [--check] [--list-parameters]
// For every architecture of models::recognizer_architectures() (or the one --arch names), at its published size
// (RecognizerOptions defaults, base_channels = models::published_base_channels: ST-GCN++ / CTR-GCN 64, MS-G3D 96,
// BlockGCN 128, a2m_gru 128 hidden; --base-channels overrides it for all), one body, the joint stream, random clips of
// --clip frames (all real) and random labels:
//   training step = zero_grad, forward + cross-entropy (under --precision's autocast), backward, SGD step (lr 0.1,
//   momentum 0.9, Nesterov, weight decay 5e-4, as PYSKL trains these models); the median over --steps steps after
//   --warmup, timed with a CUDA synchronisation at both ends on --device cuda.
// RESULT lines: <arch>_parameters, <arch>_step_ms (median), <arch>_step_min_ms, <arch>_clips_per_s (at the median).
//
// --check (no timing): the correctness cross-check against the Python networks. Each model is built at the same
// sizes, then every parameter is overwritten by a formula that depends on nothing random: the parameters sorted by
// name (dotted names, the same in both programs), the k-th (0-based) with flat index i gets
//     s = sin(0.7 i + 1.3 k);   >= 2-d: s / sqrt(fan_in), fan_in = numel / size(0)
//                               1-d named *weight (the batch-norm scales): 1 + 0.1 s;   other 1-d: 0.1 s
// (scaled so that the signal neither dies nor explodes through the depth: then the logits really depend on every
// layer, which a plain 0.01 s fill would not give). Batch-norm running statistics are mean 0 / variance 1 as built.
// One forward in eval mode on a formula-filled input [2, 1, T, V, 3] (x.flat[i] = sin(0.37 i + 0.5)) with mask: clip
// 0 all T frames real, clip 1 its first T - T / 4 (the rest padding, whose non-zero content must not matter), float32.
// RESULT <arch>_check_logits_sum, _check_logits_abs_sum, _check_embed_abs_sum, _check_embed_weighted (the pooled
// features [2, D] x cos(0.9 i), which sees a permutation that sums do not), _check_graphs (the graphs the model built
// from the topology, checked before the fill replaces the learnable ones: see graphs_checksum), all with 6 significant
// digits, and _check_names (count and FNV-1a-64 hash of the sorted "name:shape;" list, equal only if both programs
// build the same parameters under the same names with the same shapes).
// --list-architectures: prints models::recognizer_architectures(), one a line, and exits.
// --list-parameters (with --check): also one line "PARAM <arch> <name> <shape>" per parameter, sorted by name, to find
// where the two programs differ when _check_names does not agree.
// Where the C++ program and Python's torch link the same libtorch (Debian's 1.13 here), both run the same kernels in the
// same order and the check values come out identical to all printed digits; the run script's 1e-3 tolerance is for
// different builds (another BLAS, a GPU). Seen by deliberately breaking the Python copy: a wrong partition, window
// graph, column normalisation or GRU read-out moves some value by 2e-3 to 0.1, but a lost frame mask before the
// temporal branches moves ST-GCN++'s by only 1e-4 to 6e-4, below 1e-3: where both link one libtorch, anything short
// of exact agreement is suspect.
// Every result line is "RESULT <key> <value>", the same keys and format as the Python script.
#include <ATen/Parallel.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "skelaug/data/topology.h"
#include "skelaug/models/recognizer.h"
#include "skelaug/models/recognizer_config.h"
#include "skelaug/training/autocast.h"

using namespace skelaug;
using Clock = std::chrono::steady_clock;

namespace {

struct Settings {
  std::string arch = "all";
  std::string topology = "hml22";
  std::int64_t classes = 12;
  std::int64_t clip = 48;
  std::int64_t batch = 16;
  int steps = 10;
  int warmup = 2;
  int threads = 0;                 // 0: all cores
  std::int64_t base_channels = 0;  // 0: each architecture's published width
  std::int64_t stages = 10;
  std::string device = "cpu";
  std::string precision = "float32";
  bool check = false;
  bool list_parameters = false;
};

bool ends_with(const std::string& name, const std::string& suffix) {
  return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const auto n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

Settings parse(int argc, char** argv) {
  Settings s;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      fmt::print("usage: {} [--arch all|NAME] [--topology hml22] [--classes 12] [--clip 48] [--batch 16] [--steps 10] "
                 "[--warmup 2] [--threads N] [--base-channels 0] [--stages 10] [--device cpu|cuda] "
                 "[--precision float32|bf16] [--check] [--list-parameters] [--list-architectures]\n",
                 argv[0]);
      std::exit(0);
    }
    if (flag == "--check") {
      s.check = true;
      continue;
    }
    if (flag == "--list-parameters") {
      s.list_parameters = true;
      continue;
    }
    if (flag == "--list-architectures") {  // for the run script: the names, one a line
      for (const auto& name : models::recognizer_architectures()) fmt::print("{}\n", name);
      std::exit(0);
    }
    if (i + 1 >= argc) {
      fmt::print(stderr, "missing value for {}\n", flag);
      std::exit(2);
    }
    const std::string value = argv[++i];
    const auto integer = [&] { return std::atoll(value.c_str()); };
    if (flag == "--arch") s.arch = value;
    else if (flag == "--topology") s.topology = value;
    else if (flag == "--classes") s.classes = integer();
    else if (flag == "--clip") s.clip = integer();
    else if (flag == "--batch") s.batch = integer();
    else if (flag == "--steps") s.steps = static_cast<int>(integer());
    else if (flag == "--warmup") s.warmup = static_cast<int>(integer());
    else if (flag == "--threads") s.threads = static_cast<int>(integer());
    else if (flag == "--base-channels") s.base_channels = integer();
    else if (flag == "--stages") s.stages = integer();
    else if (flag == "--device") s.device = value;
    else if (flag == "--precision") s.precision = value;
    else {
      fmt::print(stderr, "unknown flag {}\n", flag);
      std::exit(2);
    }
  }
  if (s.steps < 1 || s.warmup < 0 || s.batch < 1 || s.clip < 4 || s.classes < 1 || s.stages < 1 ||
      s.base_channels < 0) {
    fmt::print(stderr, "bad settings: steps, batch, classes, stages >= 1; warmup, base-channels >= 0; clip >= 4\n");
    std::exit(2);
  }
  return s;
}

models::RecognizerOptions options_for(const Settings& s, const std::string& arch) {
  models::RecognizerOptions options;
  options.architecture = arch;
  options.topology = s.topology;
  options.num_classes = s.classes;
  options.num_bodies = 1;
  options.streams = {models::InputStream::kJoint};
  options.base_channels = s.base_channels > 0 ? s.base_channels : models::published_base_channels(arch);
  options.stages = s.stages;
  options.dropout = 0.0;
  return options;
}

// Parameters sorted by name (the check's fill order and the names fingerprint).
std::vector<std::pair<std::string, torch::Tensor>> sorted_parameters(const torch::nn::Module& model) {
  std::vector<std::pair<std::string, torch::Tensor>> all;
  for (const auto& item : model.named_parameters()) all.emplace_back(item.key(), item.value());
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return all;
}

// FNV-1a 64 of "name:d0xd1x..;" over the sorted parameters.
std::string names_fingerprint(const std::vector<std::pair<std::string, torch::Tensor>>& parameters) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const auto& [name, p] : parameters) {
    std::string entry = name + ":";
    for (std::int64_t d = 0; d < p.dim(); ++d) entry += (d > 0 ? "x" : "") + std::to_string(p.size(d));
    entry += ";";
    for (const unsigned char c : entry) {
      hash ^= c;
      hash *= 1099511628211ULL;
    }
  }
  return fmt::format("{}:{:016x}", parameters.size(), hash);
}

// The deterministic fill of --check (see the header).
void fill_deterministic(const std::vector<std::pair<std::string, torch::Tensor>>& parameters) {
  torch::NoGradGuard no_grad;
  for (std::size_t k = 0; k < parameters.size(); ++k) {
    const auto& [name, p] = parameters[k];
    const auto n = p.numel();
    auto values = torch::sin(torch::arange(n, torch::kDouble) * 0.7 + 1.3 * static_cast<double>(k));
    if (p.dim() >= 2) {
      values = values / std::sqrt(static_cast<double>(n / p.size(0)));
    } else if (ends_with(name, "weight")) {
      values = values * 0.1 + 1.0;
    } else {
      values = values * 0.1;
    }
    p.copy_(values.to(torch::kFloat).view_as(p));
  }
}

// sum_i x.flat[i] cos(0.9 i + 0.1 k) in double: unlike a plain or absolute sum, it changes when values move.
double weighted_sum(const torch::Tensor& x, std::int64_t k = 0) {
  const auto flat = x.detach().to(torch::kCPU, torch::kDouble).flatten();
  const auto weights = torch::cos(torch::arange(flat.numel(), torch::kDouble) * 0.9 + 0.1 * static_cast<double>(k));
  return (flat * weights).sum().item<double>();
}

// The graphs a model builds from its topology, before the check's fill overwrites the learnable ones: the weighted
// sums (k-th tensor in name order) of every buffer but the batch-norm statistics (MS-G3D's multi-scale graphs,
// BlockGCN's hop distances) and of the parameters initialised from the skeleton (ST-GCN++ / CTR-GCN's spatial
// partition "graph", BlockGCN's identity "learned_adjacency").
double graphs_checksum(const torch::nn::Module& model) {
  std::vector<std::pair<std::string, torch::Tensor>> all;
  for (const auto& item : model.named_buffers()) {
    const auto& name = item.key();
    if (!ends_with(name, ".running_mean") && !ends_with(name, ".running_var") &&
        !ends_with(name, ".num_batches_tracked")) {
      all.emplace_back(name, item.value());
    }
  }
  for (const auto& item : model.named_parameters()) {
    if (ends_with(item.key(), ".graph") || ends_with(item.key(), ".learned_adjacency")) {
      all.emplace_back(item.key(), item.value());
    }
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  double total = 0;
  for (std::size_t k = 0; k < all.size(); ++k) total += weighted_sum(all[k].second, static_cast<std::int64_t>(k));
  return total;
}

std::int64_t count_parameters(const torch::nn::Module& model) {
  std::int64_t total = 0;
  for (const auto& p : model.parameters()) total += p.numel();
  return total;
}

void run_check(const Settings& s, const std::string& arch, const torch::Device& device) {
  const auto options = options_for(s, arch);
  auto model = models::make_recognizer(options);
  const auto parameters = sorted_parameters(*model);
  const auto graphs = graphs_checksum(*model);  // before the fill: the graphs as the model builds them
  fill_deterministic(parameters);
  model->to(device);
  model->eval();
  const auto joints = static_cast<std::int64_t>(data::topology(s.topology).num_joints());
  const std::int64_t n = 2, t = s.clip;
  const auto input = torch::sin(torch::arange(n * t * joints * 3, torch::kDouble) * 0.37 + 0.5)
                         .to(torch::kFloat)
                         .view({n, 1, t, joints, 3});
  auto mask = torch::ones({n, t});
  mask[1].slice(0, t - t / 4, t).zero_();
  torch::NoGradGuard no_grad;
  const auto logits = model->forward(input.to(device), mask.to(device)).to(torch::kCPU, torch::kDouble);
  const auto embedding = model->embed(input.to(device), mask.to(device)).to(torch::kCPU, torch::kDouble);
  fmt::print("RESULT {}_parameters {}\n", arch, count_parameters(*model));
  fmt::print("RESULT {}_check_names {}\n", arch, names_fingerprint(parameters));
  if (s.list_parameters) {
    for (const auto& [name, p] : parameters) fmt::print("PARAM {} {} {}\n", arch, name, fmt::join(p.sizes(), "x"));
  }
  fmt::print("RESULT {}_check_logits_sum {:.6g}\n", arch, logits.sum().item<double>());
  fmt::print("RESULT {}_check_logits_abs_sum {:.6g}\n", arch, logits.abs().sum().item<double>());
  fmt::print("RESULT {}_check_embed_abs_sum {:.6g}\n", arch, embedding.abs().sum().item<double>());
  fmt::print("RESULT {}_check_embed_weighted {:.6g}\n", arch, weighted_sum(embedding));
  fmt::print("RESULT {}_check_graphs {:.6g}\n", arch, graphs);
}

void run_benchmark(const Settings& s, const std::string& arch, const torch::Device& device,
                   training::Precision precision) {
  const auto now = [&] {  // timings end only when the device has finished the work
    if (device.is_cuda()) torch::cuda::synchronize();
    return Clock::now();
  };
  const auto options = options_for(s, arch);
  torch::manual_seed(0);
  auto model = models::make_recognizer(options);
  model->to(device);
  model->train();
  fmt::print("RESULT {}_parameters {}\n", arch, count_parameters(*model));
  fmt::print("RESULT {}_base_channels {}\n", arch, options.base_channels);
  std::fflush(stdout);

  const auto on_device = torch::TensorOptions().device(device);
  const auto joints = static_cast<std::int64_t>(data::topology(s.topology).num_joints());
  const auto clips = torch::randn({s.batch, 1, s.clip, joints, options.in_channels()}, on_device);
  const auto mask = torch::ones({s.batch, s.clip}, on_device);
  const auto labels = torch::randint(0, s.classes, {s.batch}, on_device.dtype(torch::kLong));
  torch::optim::SGD optimizer(model->parameters(),
                              torch::optim::SGDOptions(0.1).momentum(0.9).nesterov(true).weight_decay(5e-4));
  std::vector<double> times;
  float last_loss = 0;
  for (int step = 0; step < s.warmup + s.steps; ++step) {
    const auto start = now();
    optimizer.zero_grad();
    torch::Tensor loss;
    {
      const training::AutocastGuard autocast(device, precision);
      loss = torch::nn::functional::cross_entropy(model->forward(clips, mask), labels);
    }
    loss.backward();
    optimizer.step();
    const double elapsed = std::chrono::duration<double>(now() - start).count();
    last_loss = loss.item<float>();
    if (step >= s.warmup) times.push_back(elapsed);
  }
  const double step_s = median(times);
  fmt::print("RESULT {}_step_ms {:.2f}\n", arch, step_s * 1e3);
  fmt::print("RESULT {}_step_min_ms {:.2f}\n", arch, *std::min_element(times.begin(), times.end()) * 1e3);
  fmt::print("RESULT {}_clips_per_s {:.2f}\n", arch, static_cast<double>(s.batch) / step_s);
  fmt::print("RESULT {}_last_loss {:.4f}\n", arch, last_loss);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const Settings s = parse(argc, argv);
  const int threads = s.threads > 0 ? s.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(threads);
  const torch::Device device(s.device);
  const auto precision = training::parse_precision(s.precision);
  std::vector<std::string> architectures;
  if (s.arch == "all") {
    architectures = models::recognizer_architectures();
  } else {
    const auto known = models::recognizer_architectures();
    if (std::find(known.begin(), known.end(), s.arch) == known.end()) {
      fmt::print(stderr, "unknown --arch {} (all, {})\n", s.arch, fmt::join(known, ", "));
      return 2;
    }
    architectures = {s.arch};
  }

  fmt::print("RESULT implementation C++/LibTorch-{}\n", TORCH_VERSION);
  fmt::print("RESULT threads {}\n", at::get_num_threads());
  fmt::print("RESULT device {} {}\n", device.str(), s.check ? "float32" : training::precision_name(precision));
  fmt::print("RESULT architectures {}\n", fmt::join(architectures, ","));
  fmt::print("RESULT config topology={} classes={} bodies=1 streams=joint clip={} batch={} stages={} "
             "optimizer=sgd(lr=0.1,momentum=0.9,nesterov,wd=5e-4)\n",
             s.topology, s.classes, s.clip, s.check ? 2 : s.batch, s.stages);
  if (!s.check) fmt::print("RESULT timing steps={} warmup={}\n", s.steps, s.warmup);
  std::fflush(stdout);
  for (const auto& arch : architectures) {
    if (s.check) {
      run_check(s, arch, device);
    } else {
      run_benchmark(s, arch, device, precision);
    }
  }
  return 0;
}
