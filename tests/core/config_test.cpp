#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "skelaug/core/config.h"
#include "skelaug/core/error.h"

namespace skelaug::core {
namespace {

Schema test_schema() {
  Schema schema;
  schema.add_string("run.name", "", "name")
      .add_int("run.seed", 0, 0, 1000, "seed")
      .add_bool("train.amp", false, "mixed precision")
      .add_float("train.lr", 1e-4, 0.0, 1.0, "learning rate")
      .add_choice("train.schedule", "cosine", {"cosine", "step"}, "schedule")
      .add_int_list("train.milestones", {100, 200}, 0, 100000, "decay epochs")
      .add_float_list("train.weights", {1.0}, 0.0, 10.0, "source weights")
      .add_string_list("data.files", {}, "dataset files")
      .add_int("model.encoder.layers", 8, 1, 64, "encoder depth");
  return schema;
}

// Parses `text` and returns the UserError message; fails the test if parsing succeeds.
std::string error_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    parse_config(test_schema(), text, "t.yaml", "t", overrides);
  } catch (const UserError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return {};
}

TEST(ConfigSchema, DefaultsFillEveryKey) {
  const auto config = parse_config(test_schema(), "", "t.yaml", "t");
  EXPECT_EQ(config.get_int("run.seed"), 0);
  EXPECT_DOUBLE_EQ(config.get_float("train.lr"), 1e-4);
  EXPECT_EQ(config.get_string("train.schedule"), "cosine");
  EXPECT_EQ(config.get_int_list("train.milestones"), (std::vector<std::int64_t>{100, 200}));
  EXPECT_EQ(config.origin("train.lr"), "default");
}

TEST(ConfigSchema, ReadsEveryTypeAndRecordsTheLine) {
  const auto config = parse_config(test_schema(),
                                   "run:\n  seed: 7\n"
                                   "train:\n  amp: true\n  lr: 3.0e-3\n  schedule: step\n"
                                   "  milestones: [1, 2, 3]\n  weights: [0.5, 2]\n"
                                   "data:\n  files: [a.npz, b.npz]\n"
                                   "model:\n  encoder:\n    layers: 12\n",
                                   "t.yaml", "t");
  EXPECT_EQ(config.get_int("run.seed"), 7);
  EXPECT_TRUE(config.get_bool("train.amp"));
  EXPECT_DOUBLE_EQ(config.get_float("train.lr"), 3e-3);
  EXPECT_EQ(config.get_string("train.schedule"), "step");
  EXPECT_EQ(config.get_int_list("train.milestones"), (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(config.get_float_list("train.weights"), (std::vector<double>{0.5, 2.0}));
  EXPECT_EQ(config.get_string_list("data.files"), (std::vector<std::string>{"a.npz", "b.npz"}));
  EXPECT_EQ(config.get_int("model.encoder.layers"), 12);
  EXPECT_EQ(config.origin("train.lr"), "t.yaml:5");
}

TEST(ConfigSchema, UnknownKeyNamesFileLineKeyAndSuggestion) {
  EXPECT_EQ(error_of("train:\n  lr: 0.1\n  lrr: 0.2\n"), "t.yaml:3: unknown key 'train.lrr' (did you mean 'train.lr'?)");
  EXPECT_EQ(error_of("bogus: 1\n"), "t.yaml:1: unknown key 'bogus'");
  EXPECT_EQ(error_of("model:\n  encoder:\n    depth: 3\n"), "t.yaml:3: unknown key 'model.encoder.depth'");
}

TEST(ConfigSchema, WrongTypeNamesExpectedAndGot) {
  EXPECT_EQ(error_of("run:\n  seed: abc\n"), "t.yaml:2: run.seed: expected an integer, got 'abc'");
  EXPECT_EQ(error_of("run:\n  seed: 1.5\n"), "t.yaml:2: run.seed: expected an integer, got '1.5'");
  EXPECT_EQ(error_of("train:\n  lr: [1]\n"), "t.yaml:2: train.lr: expected a number, got a list");
  EXPECT_EQ(error_of("train:\n  amp: maybe\n"), "t.yaml:2: train.amp: expected a boolean (true/false), got 'maybe'");
  EXPECT_EQ(error_of("train:\n  milestones: [1, x]\n"),
            "t.yaml:2: train.milestones: expected a list of integers, got a list");
  EXPECT_EQ(error_of("train:\n  milestones: 5\n"), "t.yaml:2: train.milestones: expected a list of integers, got '5'");
  EXPECT_EQ(error_of("run:\n  name: {a: 1}\n"), "t.yaml:2: run.name: expected a string, got a mapping");
  EXPECT_EQ(error_of("train: 3\n"), "t.yaml:1: train: expected a section (a mapping of keys), got '3'");
  EXPECT_EQ(error_of("run:\n  seed:\n"), "t.yaml:2: run.seed: expected an integer, got nothing");
  EXPECT_EQ(error_of("- a\n- b\n"), "t.yaml:1: the top level must be a mapping of sections, got a list");
}

TEST(ConfigSchema, OutOfRangeNamesTheBound) {
  EXPECT_EQ(error_of("run:\n  seed: 1001\n"), "t.yaml:2: run.seed: 1001 is above the maximum 1000");
  EXPECT_EQ(error_of("train:\n  lr: -0.5\n"), "t.yaml:2: train.lr: -0.5 is below the minimum 0");
  EXPECT_EQ(error_of("train:\n  lr: .nan\n"), "t.yaml:2: train.lr: nan is not a finite number");
  EXPECT_EQ(error_of("train:\n  schedule: linear\n"), "t.yaml:2: train.schedule: 'linear' is not one of: cosine, step");
  EXPECT_EQ(error_of("train:\n  weights: [1, 20]\n"), "t.yaml:2: train.weights: element 1: 20 is above the maximum 10");
}

TEST(ConfigSchema, SyntaxErrorAndDuplicateKey) {
  EXPECT_EQ(error_of("train:\n  lr: [1, 2\n").rfind("t.yaml:", 0), 0u);
  EXPECT_NE(error_of("train:\n  lr: [1, 2\n").find("YAML syntax error"), std::string::npos);
  EXPECT_EQ(error_of("train:\n  lr: 0.1\n  lr: 0.2\n"), "t.yaml:3: key 'train.lr' appears twice");
}

TEST(ConfigOverrides, ApplyAfterTheFileInOrder) {
  const auto config = parse_config(test_schema(), "train:\n  lr: 0.1\n", "t.yaml", "t",
                                   {"train.lr=0.5", "train.milestones=[5, 6]", "train.lr=0.25", "data.files=[x]"});
  EXPECT_DOUBLE_EQ(config.get_float("train.lr"), 0.25);
  EXPECT_EQ(config.get_int_list("train.milestones"), (std::vector<std::int64_t>{5, 6}));
  EXPECT_EQ(config.get_string_list("data.files"), (std::vector<std::string>{"x"}));
  EXPECT_EQ(config.origin("train.lr"), "override 'train.lr=0.25'");
}

TEST(ConfigOverrides, ErrorsNameTheOverride) {
  EXPECT_EQ(error_of("", {"train.lr=2"}), "override 'train.lr=2': train.lr: 2 is above the maximum 1");
  EXPECT_EQ(error_of("", {"train.lr"}), "override 'train.lr': expected key.path=value");
  EXPECT_EQ(error_of("", {"train.lx=1"}), "override 'train.lx=1': unknown key 'train.lx' (did you mean 'train.lr'?)");
  EXPECT_EQ(error_of("", {"train=1"}), "override 'train=1': 'train' is a section, not a key");
  EXPECT_EQ(error_of("", {"run.seed=x"}), "override 'run.seed=x': run.seed: expected an integer, got 'x'");
}

TEST(ConfigFile, MissingFileIsOneLine) {
  try {
    load_config(test_schema(), "/nonexistent/x.yaml");
    FAIL();
  } catch (const UserError& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/x.yaml: config file not found");
  }
}

TEST(ConfigFile, NameIsTheFileStem) {
  const auto path = std::filesystem::temp_directory_path() / "skelaug_cfg_name_test.yaml";
  std::ofstream(path) << "run:\n  seed: 3\n";
  const auto config = load_config(test_schema(), path);
  EXPECT_EQ(config.name(), "skelaug_cfg_name_test");
  EXPECT_EQ(config.origin("run.seed"), path.string() + ":2");
  std::filesystem::remove(path);
}

TEST(ConfigYaml, ResolvedOutputReadsBackEqual) {
  const auto config = parse_config(test_schema(), "run:\n  name: \"123\"\n", "t.yaml", "t",
                                   {"train.lr=0.3", "train.weights=[0.1, 2.5]", "data.files=[\"a b.npz\", yes]"});
  for (const bool comments : {false, true}) {
    const auto text = config.to_yaml(comments);
    const auto again = parse_config(test_schema(), text, "resolved.yaml", "t");
    EXPECT_TRUE(again == config) << text;
  }
  EXPECT_NE(config.to_yaml(true).find("# learning rate"), std::string::npos);
  EXPECT_NE(config.to_yaml(false).find("model:\n  encoder:\n    layers: 8"), std::string::npos);
}

TEST(ConfigSchema, RegistrationMistakesAreCaught) {
  Schema schema;
  schema.add_int("a.b", 1, 0, 2, "x");
  EXPECT_THROW(schema.add_int("a.b", 1, 0, 2, "again"), std::logic_error);
  EXPECT_THROW(schema.add_int("a", 1, 0, 2, "clashes with section a"), std::logic_error);
  EXPECT_THROW(schema.add_int("a.b.c", 1, 0, 2, "under a leaf"), std::logic_error);
  EXPECT_THROW(schema.add_int("c.d", 5, 0, 2, "default out of range"), std::logic_error);
  schema.add_int("c.d", 1, 0, 2, "ok");
  EXPECT_THROW(schema.add_int("a.e", 1, 0, 2, "reopens section a"), std::logic_error);
}

}  // namespace
}  // namespace skelaug::core
