#pragma once

#include <fmt/format.h>
#include <mpi.h>

#include <stdexcept>

namespace skelaug::distributed::detail {

// MPI_COMM_WORLD returns errors (MPI_ERRORS_RETURN) so that they become exceptions with context; the launcher turns
// an exception on any rank of a multi-rank job into MPI_Abort, so a failure ends the job instead of hanging it.
inline void mpi_check(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw std::runtime_error(fmt::format("{} failed: {}", call, std::string(text, static_cast<std::size_t>(length))));
}

}  // namespace skelaug::distributed::detail

#define SKELAUG_MPI_CHECK(call) ::skelaug::distributed::detail::mpi_check((call), #call)
