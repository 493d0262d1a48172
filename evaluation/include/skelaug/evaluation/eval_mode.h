#pragma once

#include <torch/nn/module.h>

namespace skelaug::evaluation {

// Puts a module in eval mode for the guard's lifetime and restores its training flag afterwards, also on a throw.
class EvalModeGuard {
 public:
  explicit EvalModeGuard(torch::nn::Module& module) : module_(module), was_training_(module.is_training()) {
    module_.eval();
  }
  ~EvalModeGuard() { module_.train(was_training_); }
  EvalModeGuard(const EvalModeGuard&) = delete;
  EvalModeGuard& operator=(const EvalModeGuard&) = delete;

 private:
  torch::nn::Module& module_;
  bool was_training_;
};

}  // namespace skelaug::evaluation
