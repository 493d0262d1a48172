#include "skelaug/augment/stage_process.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "scratch_directory_test.h"
#include "skelaug/core/error.h"

namespace skelaug::augment {
namespace {

class StageProcess : public testing::ScratchDirectoryTest {
 protected:
  // Runs `script` under sh and waits for it; with `stop`, sends SIGTERM to the waiting thread once the script has
  // touched the file named by its $0, as Slurm or a user stops the runner.
  int run_script(const std::string& script, bool stop = false) {
    const auto started = directory_ / "started";
    const auto waiting = pthread_self();
    std::thread stopper;
    if (stop) {
      stopper = std::thread([waiting, started] {
        while (!std::filesystem::exists(started)) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        pthread_kill(waiting, SIGTERM);
      });
    }
    const int code = run_process({"sh", "-c", script, started.string()}, directory_ / "stage.log");
    if (stopper.joinable()) stopper.join();
    return code;
  }
};

TEST_F(StageProcess, ReturnsTheChildsExitCode) {
  EXPECT_EQ(run_script("exit 0"), 0);
  EXPECT_EQ(run_script("exit 7"), 7);
  EXPECT_EQ(run_script("kill -KILL $$"), 128 + SIGKILL);
}

TEST_F(StageProcess, AStopSignalGoesOnAsSigusr1AndAChildThatCheckpointsSaysSo) {
  // As a skelaug job does: catch SIGUSR1, finish, exit kPreempted.
  EXPECT_EQ(run_script("trap 'echo caught TERM; exit 3' TERM; trap 'echo caught USR1; exit 3' USR1; touch \"$0\"; "
                       "sleep 5 & wait",
                       true),
            core::kPreempted);
  std::ifstream log(directory_ / "stage.log");
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "caught USR1\n");
}

TEST_F(StageProcess, AChildKilledByTheStopSignalBeforeItCatchesItStoppedAndDidNotFail) {
  // A rank that has not installed its handler yet dies of SIGUSR1: the study must continue from there, not fail.
  EXPECT_EQ(run_script("touch \"$0\"; sleep 5 & wait", true), core::kPreempted);
}

}  // namespace
}  // namespace skelaug::augment
