// Driven by checkpoint_kill_test.py (not a test on its own).
//   checkpoint_writer write DIR    saves checkpoints of a 16 MB model at steps 1, 2, 3, ... into DIR (keeping 3),
//                                  printing "saved N" after each, until killed
//   checkpoint_writer resume DIR   what a resuming trainer does first: removes what a killed writer left, loads the
//                                  newest valid checkpoint, checks that its weights are the ones step N wrote, and
//                                  prints "resumed N removed K" (exit 0), or the error (exit 1)
#include <torch/torch.h>

#include <cstdio>
#include <exception>
#include <string>

#include "skelaug/training/checkpoint.h"

namespace {

// The weights step `step` writes: every element equals the step, so a resumed checkpoint shows whether it is whole.
torch::nn::Linear model_at(std::int64_t step) {
  torch::nn::Linear model(2000, 2000);
  torch::NoGradGuard no_grad;
  for (auto& p : model->parameters()) p.fill_(static_cast<double>(step));
  return model;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: checkpoint_writer write|resume DIR\n");
    return 2;
  }
  const std::string mode = argv[1];
  const skelaug::training::CheckpointStore store(argv[2], 3);
  try {
    if (mode == "write") {
      for (std::int64_t step = 1;; ++step) {
        auto model = model_at(step);
        store.save({model.get(), nullptr, nullptr}, {0, step, step});
        std::printf("saved %lld\n", static_cast<long long>(step));
        std::fflush(stdout);
      }
    }
    const auto removed = store.remove_temporaries();
    torch::nn::Linear model(2000, 2000);
    const auto resumed = store.load_newest_valid({model.get(), nullptr, nullptr});
    if (!resumed) {
      std::printf("resumed 0 removed %zu\n", removed.size());
      return 0;
    }
    for (const auto& p : model->parameters()) {
      if (!torch::equal(p, torch::full_like(p, static_cast<double>(resumed->state.global_step)))) {
        std::fprintf(stderr, "%s: weights differ from what step %lld wrote\n", resumed->file.c_str(),
                     static_cast<long long>(resumed->state.global_step));
        return 1;
      }
    }
    std::printf("resumed %lld removed %zu skipped %zu\n", static_cast<long long>(resumed->state.global_step),
                removed.size(), resumed->skipped.size());
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s\n", error.what());
    return 1;
  }
}
