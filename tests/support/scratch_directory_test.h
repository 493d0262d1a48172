#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace skelaug::testing {

// A test with a fresh directory of its own under the system's temporary folder (named after the test and the
// process), removed with everything in it afterwards; write() puts a text file there.
class ScratchDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    directory_ = std::filesystem::temp_directory_path() /
                 (std::string("skelaug_") + test->test_suite_name() + "_" + test->name() + "_" +
                  std::to_string(::getpid()));
    std::filesystem::remove_all(directory_);
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  std::filesystem::path write(const std::string& name, const std::string& text) const {
    const auto file = directory_ / name;
    std::ofstream(file) << text;
    return file;
  }

  std::filesystem::path directory_;
};

}  // namespace skelaug::testing
