#pragma once

#include <torch/nn/module.h>

#include <vector>

namespace skelaug::training {

// The exponential moving average of a model's weights, kept in a second module of the same architecture (the weights
// a diffusion model samples with): it starts as a copy of the model (parameters and buffers), and update() folds the
// model's current parameters in, average = decay * average + (1 - decay) * current, after every optimiser step.
class ExponentialMovingAverage {
 public:
  // `average` must have the model's architecture: parameters and buffers in the same order and shapes
  // (std::invalid_argument otherwise). Copies the model into it.
  ExponentialMovingAverage(torch::nn::Module& model, torch::nn::Module& average, double decay);

  void update();
  torch::nn::Module& average() { return average_; }

 private:
  torch::nn::Module& average_;
  std::vector<torch::Tensor> current_;   // the model's parameters
  std::vector<torch::Tensor> averaged_;  // the average's parameters, in the same order
  double decay_;
};

}  // namespace skelaug::training
