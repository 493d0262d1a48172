// main() of every multi-rank GoogleTest executable: every rank runs every test, and every rank returns the same
// verdict, so mpirun's exit status reports a failure on any rank.
#include <gtest/gtest.h>

#include <memory>

#include "mpi_test.h"

namespace skelaug::testing {
namespace {
std::unique_ptr<distributed::MpiEnvironment> g_environment;
}  // namespace

distributed::MpiEnvironment& mpi() { return *g_environment; }

}  // namespace skelaug::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  skelaug::testing::g_environment = std::make_unique<skelaug::distributed::MpiEnvironment>();
  const int failed = RUN_ALL_TESTS() != 0 ? 1 : 0;
  const bool any_failed = skelaug::testing::mpi().sum(failed) > 0;
  skelaug::testing::g_environment.reset();
  return any_failed ? 1 : 0;
}
