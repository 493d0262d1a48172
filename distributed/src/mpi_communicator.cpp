#include "skelaug/distributed/mpi_communicator.h"

#include <ATen/ATen.h>
#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdio>

#include "communication_thread.h"
#include "mpi_check.h"
#include "skelaug/distributed/mpi_environment.h"
#include "tensor_checks.h"

namespace skelaug::distributed {
namespace {

MPI_Datatype mpi_type(const at::Tensor& tensor, const char* collective) {
  switch (tensor.scalar_type()) {
    case at::kFloat: return MPI_FLOAT;
    case at::kDouble: return MPI_DOUBLE;
    case at::kLong: return MPI_INT64_T;
    case at::kInt: return MPI_INT32_T;
    case at::kByte: return MPI_UINT8_T;
    case at::kChar: return MPI_INT8_T;
    case at::kBool: return MPI_C_BOOL;
    default: break;
  }
  detail::require(false, collective, tensor, "has a dtype MPI cannot reduce (use float32/64 or integers)");
  return MPI_DATATYPE_NULL;
}

MPI_Op mpi_op(ReduceOp op) {
  switch (op) {
    case ReduceOp::kSum:
    case ReduceOp::kAverage: return MPI_SUM;
    case ReduceOp::kMax: return MPI_MAX;
    case ReduceOp::kMin: return MPI_MIN;
  }
  return MPI_SUM;
}

void require_cpu(const at::Tensor& tensor, const char* collective) {
  detail::require(tensor.defined(), collective, tensor, "is undefined");
  detail::require(tensor.device().is_cpu(), collective, tensor, "is not on the CPU (the MPI backend reduces CPU tensors)");
  detail::require(tensor.is_contiguous(), collective, tensor, "is not contiguous");
}

// MPI counts are ints: larger tensors go in chunks.
template <typename Call>
void in_chunks(const at::Tensor& tensor, Call call) {
  const auto element_size = static_cast<std::int64_t>(tensor.element_size());
  auto* base = static_cast<char*>(tensor.data_ptr());
  const std::int64_t total = tensor.numel();
  constexpr std::int64_t kChunk = INT_MAX / 2;
  for (std::int64_t start = 0; start < total; start += kChunk) {
    call(base + start * element_size, static_cast<int>(std::min(kChunk, total - start)));
  }
}

}  // namespace

MpiCommunicator::MpiCommunicator(const MpiEnvironment& mpi, double timeout_s)
    : rank_(mpi.rank()), size_(mpi.size()) {
  SKELAUG_MPI_CHECK(MPI_Comm_dup(MPI_COMM_WORLD, &comm_));
  MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);
  thread_ = std::make_unique<CommunicationThread>(timeout_s, [rank = rank_, size = size_](const std::string& what,
                                                                                         double seconds) {
    std::fprintf(stderr,
                 "skelaug: error (rank %d/%d): %s did not finish within %.0f s (distributed.timeout_s): a peer "
                 "died or stopped; aborting the job\n",
                 rank, size, what.c_str(), seconds);
    std::fflush(stderr);
    MpiEnvironment::abort(1);
  });
}

MpiCommunicator::~MpiCommunicator() {
  thread_.reset();  // runs what is queued, then joins
  if (comm_ != MPI_COMM_NULL && MpiEnvironment::active()) MPI_Comm_free(&comm_);
}

std::shared_ptr<Work> MpiCommunicator::all_reduce_async(at::Tensor tensor, ReduceOp op) {
  require_cpu(tensor, "all_reduce");
  detail::require(op != ReduceOp::kAverage || at::isFloatingType(tensor.scalar_type()), "all_reduce", tensor,
                  "cannot be averaged (integer dtype)");
  const auto type = mpi_type(tensor, "all_reduce");
  return thread_->submit("all_reduce", [tensor, type, op, comm = comm_, size = size_]() mutable {
    in_chunks(tensor, [&](void* data, int count) {
      SKELAUG_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, data, count, type, mpi_op(op), comm));
    });
    if (op == ReduceOp::kAverage) tensor.div_(size);
  });
}

void MpiCommunicator::all_reduce(at::Tensor& tensor, ReduceOp op) { all_reduce_async(tensor, op)->wait(); }

void MpiCommunicator::broadcast(at::Tensor& tensor, int root) {
  require_cpu(tensor, "broadcast");
  const auto type = mpi_type(tensor, "broadcast");
  thread_
      ->submit("broadcast",
               [tensor, type, root, comm = comm_] {
                 in_chunks(tensor, [&](void* data, int count) {
                   SKELAUG_MPI_CHECK(MPI_Bcast(data, count, type, root, comm));
                 });
               })
      ->wait();
}

at::Tensor MpiCommunicator::all_gather(const at::Tensor& tensor) {
  require_cpu(tensor, "all_gather");
  const auto type = mpi_type(tensor, "all_gather");
  detail::require(tensor.numel() <= INT_MAX, "all_gather", tensor, "is too large for one MPI_Allgather");
  std::vector<std::int64_t> shape{size_};
  shape.insert(shape.end(), tensor.sizes().begin(), tensor.sizes().end());
  auto gathered = at::empty(shape, tensor.options());
  thread_
      ->submit("all_gather",
               [tensor, gathered, type, comm = comm_] {
                 SKELAUG_MPI_CHECK(MPI_Allgather(tensor.data_ptr(), static_cast<int>(tensor.numel()), type,
                                                 gathered.data_ptr(), static_cast<int>(tensor.numel()), type, comm));
               })
      ->wait();
  return gathered;
}

void MpiCommunicator::barrier() {
  thread_->submit("barrier", [comm = comm_] { SKELAUG_MPI_CHECK(MPI_Barrier(comm)); })->wait();
}

}  // namespace skelaug::distributed
