#include "skelaug/distributed/gradient_reducer.h"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <stdexcept>

namespace skelaug::distributed {

GradientReducer::GradientReducer(std::vector<at::Tensor> parameters, Communicator& communicator,
                                 ReducerOptions options, core::Timeline* timeline)
    : parameters_(std::move(parameters)), communicator_(communicator), timeline_(timeline) {
  bucket_of_.assign(parameters_.size(), 0);
  position_of_.assign(parameters_.size(), 0);
  arrived_.assign(parameters_.size(), false);

  // Pack in reverse registration order; a bucket holds one dtype on one device.
  std::int64_t bytes = 0;
  for (std::size_t k = parameters_.size(); k-- > 0;) {
    const auto& parameter = parameters_[k];
    if (!parameter.requires_grad()) continue;
    const auto parameter_bytes = parameter.numel() * static_cast<std::int64_t>(parameter.element_size());
    const auto cap = members_.size() <= 1 ? options.first_bucket_cap_bytes : options.bucket_cap_bytes;
    const bool compatible = !members_.empty() &&
                            parameters_[members_.back().front()].scalar_type() == parameter.scalar_type() &&
                            parameters_[members_.back().front()].device() == parameter.device();
    if (members_.empty() || !compatible || (bytes + parameter_bytes > cap && bytes > 0)) {
      members_.emplace_back();
      bytes = 0;
    }
    bucket_of_[k] = members_.size() - 1;
    position_of_[k] = members_.back().size();
    members_.back().push_back(k);
    bytes += parameter_bytes;
  }
  buckets_.resize(members_.size());
  for (std::size_t b = 0; b < members_.size(); ++b) {
    std::int64_t numel = 0;
    for (const auto k : members_[b]) {
      buckets_[b].offsets.push_back(numel);
      numel += parameters_[k].numel();
    }
    const auto& first = parameters_[members_[b].front()];
    buckets_[b].flat = at::zeros({numel}, first.options().requires_grad(false));
  }
  for (std::size_t k = 0; k < parameters_.size(); ++k) {
    if (!parameters_[k].requires_grad()) continue;
    hooks_.push_back(parameters_[k].register_hook([this, k](const at::Tensor& gradient) { on_gradient(k, gradient); }));
  }
}

GradientReducer::~GradientReducer() {
  std::size_t hook = 0;
  for (auto& parameter : parameters_) {
    if (parameter.requires_grad()) parameter.remove_hook(hooks_[hook++]);
  }
  for (auto& bucket : buckets_) {
    if (bucket.work) bucket.work->wait();  // never leave a collective half-done on destruction
  }
}

at::Tensor GradientReducer::slot(std::size_t parameter) {
  const auto& bucket = buckets_[bucket_of_[parameter]];
  return bucket.flat.narrow(0, bucket.offsets[position_of_[parameter]], parameters_[parameter].numel())
      .view(parameters_[parameter].sizes());
}

void GradientReducer::prepare(bool synchronize) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& bucket : buckets_) {
    if (bucket.work) throw std::logic_error("GradientReducer::prepare: the previous step was not finished");
  }
  synchronizing_ = synchronize;
  next_to_launch_ = 0;
  for (std::size_t b = 0; b < buckets_.size(); ++b) buckets_[b].pending = members_[b].size();
  std::fill(arrived_.begin(), arrived_.end(), false);
}

void GradientReducer::on_gradient(std::size_t parameter, const at::Tensor& gradient) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!synchronizing_ || arrived_[parameter]) return;
  arrived_[parameter] = true;
  // The hook runs before autograd accumulates into .grad: what will be there is the old .grad plus this gradient.
  const auto& accumulated = parameters_[parameter].grad();
  auto destination = slot(parameter);
  if (accumulated.defined()) {
    at::add_out(destination, accumulated, gradient);
  } else {
    destination.copy_(gradient);
  }
  --buckets_[bucket_of_[parameter]].pending;
  launch_ready_buckets();
}

void GradientReducer::launch_ready_buckets() {
  while (next_to_launch_ < buckets_.size() && buckets_[next_to_launch_].pending == 0) launch(next_to_launch_++);
}

void GradientReducer::launch(std::size_t bucket) {
  buckets_[bucket].work = communicator_.all_reduce_async(buckets_[bucket].flat, ReduceOp::kAverage);
}

void GradientReducer::finish() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!synchronizing_) throw std::logic_error("GradientReducer::finish after prepare(false)");
  // Parameters that got no gradient this step still take part: their local contribution is what .grad holds.
  for (std::size_t k = 0; k < parameters_.size(); ++k) {
    if (!parameters_[k].requires_grad() || arrived_[k]) continue;
    const auto& accumulated = parameters_[k].grad();
    if (accumulated.defined()) {
      slot(k).copy_(accumulated);
    } else {
      slot(k).zero_();
    }
    arrived_[k] = true;
    --buckets_[bucket_of_[k]].pending;
  }
  launch_ready_buckets();
  synchronizing_ = false;
  lock.unlock();

  for (std::size_t b = 0; b < buckets_.size(); ++b) {
    auto work = std::move(buckets_[b].work);
    work->wait();
    if (timeline_ != nullptr) {
      if (const auto span = work->span()) {
        timeline_->record(fmt::format("all_reduce bucket {}", b), "communication", 1, span->start, span->end);
      }
    }
    for (const auto k : members_[b]) {
      auto& parameter = parameters_[k];
      if (parameter.grad().defined()) {
        parameter.mutable_grad().copy_(slot(k));
      } else {
        parameter.mutable_grad() = slot(k).clone();
      }
    }
  }
}

void broadcast_from_root(Communicator& communicator, const std::vector<at::Tensor>& tensors) {
  for (auto tensor : tensors) {
    auto data = tensor.detach();
    if (data.is_contiguous()) {
      communicator.broadcast(data, 0);
    } else {
      auto contiguous = data.contiguous();
      communicator.broadcast(contiguous, 0);
      data.copy_(contiguous);
    }
  }
}

}  // namespace skelaug::distributed
