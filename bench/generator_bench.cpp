// Generator benchmark (C++ side of the C++-vs-PyTorch comparison; bench/generator_bench.py is the Python side and
// bench/run_generator_bench.sh runs both and prints a table). Random data, the paper's model sizes by default:
//   build/bin/bench_generator [--threads N] [--batch 32] [--steps 10] [--warmup 2] [--sample-batch 64]
//                             [--ddpm-steps 10] [--ddim-steps 50] [--width 256] [--heads 4] [--ff 1024]
//                             [--encoder-layers 8] [--decoder-layers 4] [--joints 22] [--classes 12] [--clip 48]
//                             [--dropout 0.1] [--device cpu|cuda] [--precision float32|bf16]
// (a) Training step: generator_loss (masked L2 on x0 + label-smoothed auxiliary CE) forward, backward and an AdamW
//     step (training::make_adamw's, what `skelaug train generator` uses: multi-tensor on CUDA); median over --steps
//     steps after --warmup, and sequences/s at that median.
// (b) Sampling throughput in clips/s (batch --sample-batch, eval mode, exemplar conditioning, the exemplar's condition
//     computed once per run as skelaug's sampler does): DDIM with
//     --ddim-steps steps, run in full; DDPM-1000 estimated from --ddpm-steps ancestral DDPM steps (the reverse process
//     from timestep ddpm-steps - 1 down to 0, the same per-step work as any DDPM step) scaled to 1000 steps, unless
//     --ddpm-steps is 1000, which runs the whole sampler.
// (c) Dropout masks keyed per clip (DropoutRowSeeds, what generator_loss uses so that N ranks train like 1) against
//     one seed per call (the reference), on CPU: forward and backward of the training step's dropout calls at its
//     shapes ([B, T, W] after attention and feed-forward, [B*H, T, T] attention weights, ReLU+dropout on [B, T, FF]),
//     median of --steps rounds each; keyed / per-call is the price of the exact N-rank equivalence.
// (d) The optimiser step alone on the model's parameters (random gradients): torch::optim::AdamW (one set of
//     operations per parameter tensor, the reference) against skelaug's MultiTensorAdamW (one per list), median of
//     --steps steps each after --warmup, and multi-tensor / per-tensor.
// Every result line is "RESULT <key> <value>" (the same keys and format as the Python script).
#include <ATen/Parallel.h>
#include <fmt/format.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "skelaug/models/diffusion.h"
#include "skelaug/models/dropout.h"
#include "skelaug/models/generator.h"
#include "skelaug/models/generator_objective.h"
#include "skelaug/models/generator_sampling.h"
#include "skelaug/training/autocast.h"
#include "skelaug/training/multi_tensor_adamw.h"

using namespace skelaug;
using Clock = std::chrono::steady_clock;

namespace {

struct Settings {
  int threads = 0;  // 0: all cores
  std::int64_t batch = 32;
  int steps = 10;
  int warmup = 2;
  std::int64_t sample_batch = 64;
  std::int64_t ddpm_steps = 10;
  std::int64_t ddim_steps = 50;
  models::GeneratorOptions model;
  std::string device = "cpu";
  std::string precision = "float32";  // bf16: forward passes under bf16 autocast
};


double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const auto n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

Settings parse(int argc, char** argv) {
  Settings settings;
  auto& m = settings.model;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      fmt::print("usage: {} [--threads N] [--batch B] [--steps N] [--warmup N] [--sample-batch B] [--ddpm-steps N] "
                 "[--ddim-steps N] [--width D] [--heads H] [--ff F] [--encoder-layers N] [--decoder-layers N] "
                 "[--joints J] [--classes C] [--clip T] [--dropout P] [--device cpu|cuda] "
                 "[--precision float32|bf16]\n",
                 argv[0]);
      std::exit(0);
    }
    if (i + 1 >= argc) {
      fmt::print(stderr, "missing value for {}\n", flag);
      std::exit(2);
    }
    const char* value = argv[++i];
    const auto integer = [&] { return std::atoll(value); };
    if (flag == "--threads") settings.threads = static_cast<int>(integer());
    else if (flag == "--batch") settings.batch = integer();
    else if (flag == "--steps") settings.steps = static_cast<int>(integer());
    else if (flag == "--warmup") settings.warmup = static_cast<int>(integer());
    else if (flag == "--sample-batch") settings.sample_batch = integer();
    else if (flag == "--ddpm-steps") settings.ddpm_steps = integer();
    else if (flag == "--ddim-steps") settings.ddim_steps = integer();
    else if (flag == "--width") m.width = integer();
    else if (flag == "--heads") m.heads = integer();
    else if (flag == "--ff") m.feedforward = integer();
    else if (flag == "--encoder-layers") m.encoder_layers = integer();
    else if (flag == "--decoder-layers") m.decoder_layers = integer();
    else if (flag == "--joints") m.num_joints = integer();
    else if (flag == "--classes") m.num_classes = integer();
    else if (flag == "--clip") m.clip_length = integer();
    else if (flag == "--dropout") m.dropout = std::atof(value);
    else if (flag == "--device") settings.device = value;
    else if (flag == "--precision") settings.precision = value;
    else {
      fmt::print(stderr, "unknown flag {}\n", flag);
      std::exit(2);
    }
  }
  if (settings.steps < 1 || settings.batch < 1 || settings.sample_batch < 1 || settings.ddpm_steps < 1 ||
      settings.ddpm_steps > 1000 || settings.ddim_steps < 1 || settings.ddim_steps > 1000) {
    fmt::print(stderr, "bad settings: steps, batches >= 1; ddpm-steps and ddim-steps in [1, 1000]\n");
    std::exit(2);
  }
  return settings;
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings = parse(argc, argv);
  const int threads =
      settings.threads > 0 ? settings.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(threads);
  const auto& m = settings.model;
  const std::int64_t clip = m.clip_length, features = m.feature_width();
  const torch::Device device(settings.device);
  const auto precision = training::parse_precision(settings.precision);
  // Timings end only when the device has finished the work (CUDA runs asynchronously).
  const auto now = [&] {
    if (device.is_cuda()) torch::cuda::synchronize();
    return Clock::now();
  };
  const auto on_device = torch::TensorOptions().device(device);

  torch::manual_seed(0);
  models::Generator model(m);
  model->to(device);
  std::int64_t parameters = 0;
  for (const auto& p : model->parameters()) parameters += p.numel();
  const auto schedule = models::DiffusionSchedule::cosine(1000);

  fmt::print("RESULT implementation C++/LibTorch-{}\n", TORCH_VERSION);
  fmt::print("RESULT threads {}\n", at::get_num_threads());
  fmt::print("RESULT device {} {}\n", device.str(), training::precision_name(precision));
  fmt::print("RESULT parameters {}\n", parameters);
  fmt::print("RESULT config width={} heads={} ff={} enc={} dec={} joints={} classes={} clip={} dropout={}\n", m.width,
             m.heads, m.feedforward, m.encoder_layers, m.decoder_layers, m.num_joints, m.num_classes, clip, m.dropout);

  // (a) Training steps.
  {
    const auto batch = settings.batch;
    const auto clips = torch::randn({batch, clip, features}, on_device);
    const auto mask = torch::ones({batch, clip}, on_device);
    const auto labels = torch::randint(0, m.num_classes, {batch}, on_device.dtype(torch::kLong));
    models::GeneratorLossWeights weights;  // auxiliary 1, label smoothing 0.1, no velocity / bone terms
    const auto adamw = training::make_adamw(model->parameters(), torch::optim::AdamWOptions(1e-4).weight_decay(0.0),
                                            device);
    auto& optimizer = *adamw;
    model->train();
    std::vector<double> times;
    float last_loss = 0;
    for (int step = 0; step < settings.warmup + settings.steps; ++step) {
      std::vector<std::uint64_t> seeds;
      for (std::int64_t i = 0; i < batch; ++i) seeds.push_back(static_cast<std::uint64_t>(step * batch + i));
      const auto start = now();
      optimizer.zero_grad();
      torch::Tensor loss;
      {
        const training::AutocastGuard autocast(device, precision);
        loss = models::generator_loss(model, schedule, clips, mask, labels, clips, mask, weights, {}, seeds).total;
      }
      loss.backward();
      optimizer.step();
      const double elapsed = std::chrono::duration<double>(now() - start).count();
      last_loss = loss.item<float>();
      if (step >= settings.warmup) times.push_back(elapsed);
    }
    const double step_s = median(times);
    fmt::print("RESULT train_batch {}\n", batch);
    fmt::print("RESULT train_step_ms {:.2f}\n", step_s * 1e3);
    fmt::print("RESULT train_step_min_ms {:.2f}\n", *std::min_element(times.begin(), times.end()) * 1e3);
    fmt::print("RESULT train_seq_per_s {:.2f}\n", static_cast<double>(batch) / step_s);
    fmt::print("RESULT train_last_loss {:.4f}\n", last_loss);
  }

  // (b) Sampling.
  {
    const auto batch = settings.sample_batch;
    const auto labels = torch::randint(0, m.num_classes, {batch}, on_device.dtype(torch::kLong));
    const auto exemplar = torch::randn({batch, clip, features}, on_device);
    const auto exemplar_mask = torch::ones({batch, clip}, on_device);
    model->eval();
    // generate()'s own predictor: the exemplar's condition is computed once, not at every step.
    const auto network = [&] {
      const training::AutocastGuard autocast(device, precision);
      return models::make_x0_predictor(model, labels, exemplar, exemplar_mask, clip, /*guidance=*/1.0);
    }();
    const models::X0Predictor predict = [&](const at::Tensor& x_t, const at::Tensor& t) {
      const training::AutocastGuard autocast(device, precision);
      return network(x_t, t).to(torch::kFloat);
    };
    // Whole-sampler runs (generate) call the model directly, so they run under one guard for the whole run.
    {  // warm-up: one network evaluation
      torch::NoGradGuard no_grad;
      predict(torch::randn({batch, clip, features}, on_device), torch::full({batch}, 999, on_device.dtype(torch::kLong)));
    }
    fmt::print("RESULT sample_batch {}\n", batch);

    models::SamplerOptions ddpm;
    ddpm.ddim_steps = 0;
    ddpm.seed = 1;
    double ddpm_s = 0;
    auto start = now();
    if (settings.ddpm_steps == 1000) {
      models::GenerationOptions generation;
      generation.sampler = ddpm;
      const training::AutocastGuard autocast(device, precision);
      models::generate(model, schedule, labels, exemplar, exemplar_mask, clip, generation);
      ddpm_s = std::chrono::duration<double>(now() - start).count();
    } else {
      // The last ddpm_steps steps of the ancestral sampler: timesteps ddpm_steps - 1 .. 0.
      models::denoise(schedule, predict, torch::randn({batch, clip, features}, on_device), settings.ddpm_steps - 1,
                      ddpm);
      ddpm_s = std::chrono::duration<double>(now() - start).count() / static_cast<double>(settings.ddpm_steps) * 1000.0;
    }
    fmt::print("RESULT ddpm_measured_steps {}\n", settings.ddpm_steps);
    fmt::print("RESULT ddpm1000_s_per_batch {:.3f}\n", ddpm_s);
    fmt::print("RESULT ddpm1000_clips_per_s {:.4f}\n", static_cast<double>(batch) / ddpm_s);

    models::GenerationOptions ddim;
    ddim.sampler.ddim_steps = settings.ddim_steps;
    ddim.sampler.seed = 2;
    start = now();
    {
      const training::AutocastGuard autocast(device, precision);
      models::generate(model, schedule, labels, exemplar, exemplar_mask, clip, ddim);
    }
    const double ddim_s = std::chrono::duration<double>(now() - start).count();
    fmt::print("RESULT ddim_steps {}\n", settings.ddim_steps);
    fmt::print("RESULT ddim_s_per_batch {:.3f}\n", ddim_s);
    fmt::print("RESULT ddim_clips_per_s {:.4f}\n", static_cast<double>(batch) / ddim_s);
  }

  // (c) Keyed against per-call dropout masks.
  if (device.is_cpu() && m.dropout > 0) {
    const auto batch = settings.batch;
    const auto layers = m.encoder_layers + m.decoder_layers;
    struct Call {
      torch::Tensor input;
      bool relu;
    };
    std::vector<Call> calls;
    for (std::int64_t layer = 0; layer < layers; ++layer) {
      calls.push_back({torch::randn({batch * m.heads, clip, clip}).requires_grad_(), false});
      calls.push_back({torch::randn({batch, clip, m.width}).requires_grad_(), false});
      calls.push_back({torch::randn({batch, clip, m.feedforward}).requires_grad_(), true});
      calls.push_back({torch::randn({batch, clip, m.width}).requires_grad_(), false});
    }
    std::vector<std::uint64_t> seeds(static_cast<std::size_t>(batch));
    for (std::size_t i = 0; i < seeds.size(); ++i) seeds[i] = 1000 + i;
    const auto round = [&](bool keyed) {
      const auto start = now();
      std::optional<models::DropoutRowSeeds> guard;
      if (keyed) guard.emplace(seeds);
      torch::Tensor total = torch::zeros({});
      for (const auto& call : calls) {
        const auto out = call.relu ? models::counter_relu_dropout(call.input, m.dropout)
                                   : models::counter_dropout(call.input, m.dropout);
        total = total + out.sum();
      }
      total.backward();
      return std::chrono::duration<double>(now() - start).count();
    };
    std::vector<double> per_call, keyed;
    for (int r = 0; r < settings.warmup + settings.steps; ++r) {
      const auto a = round(false);
      const auto b = round(true);
      if (r >= settings.warmup) {
        per_call.push_back(a);
        keyed.push_back(b);
      }
    }
    fmt::print("RESULT dropout_calls_per_step {}\n", calls.size());
    fmt::print("RESULT dropout_per_call_ms {:.2f}\n", median(per_call) * 1e3);
    fmt::print("RESULT dropout_keyed_ms {:.2f}\n", median(keyed) * 1e3);
    fmt::print("RESULT dropout_keyed_over_per_call {:.3f}\n", median(keyed) / median(per_call));
  }

  // (d) The optimiser step alone: per-tensor against multi-tensor AdamW, on copies of the model's parameters.
  {
    const auto synchronise = [&] {
      if (device.is_cuda()) torch::cuda::synchronize();
    };
    const auto time_steps = [&](auto& optimizer, std::vector<torch::Tensor>& parameters) {
      for (auto& parameter : parameters) parameter.mutable_grad() = torch::randn_like(parameter);
      std::vector<double> times;
      for (int step = 0; step < settings.warmup + settings.steps; ++step) {
        synchronise();
        const auto start = now();
        optimizer.step();
        synchronise();
        if (step >= settings.warmup) times.push_back(std::chrono::duration<double>(now() - start).count());
      }
      return median(times);
    };
    const auto copies = [&] {
      std::vector<torch::Tensor> parameters;
      for (const auto& parameter : model->parameters()) {
        parameters.push_back(parameter.detach().clone().requires_grad_());
      }
      return parameters;
    };
    auto per_tensor_parameters = copies();
    auto multi_tensor_parameters = copies();
    const auto options = torch::optim::AdamWOptions(1e-4).weight_decay(0.01);
    torch::optim::AdamW per_tensor(per_tensor_parameters, options);
    training::MultiTensorAdamW multi_tensor(multi_tensor_parameters, options);
    const double per_tensor_s = time_steps(per_tensor, per_tensor_parameters);
    const double multi_tensor_s = time_steps(multi_tensor, multi_tensor_parameters);
    fmt::print("RESULT optimizer_tensors {}\n", per_tensor_parameters.size());
    fmt::print("RESULT adamw_per_tensor_ms {:.3f}\n", per_tensor_s * 1e3);
    fmt::print("RESULT adamw_multi_tensor_ms {:.3f}\n", multi_tensor_s * 1e3);
    fmt::print("RESULT adamw_multi_over_per_tensor {:.3f}\n", multi_tensor_s / per_tensor_s);
  }
  return 0;
}
