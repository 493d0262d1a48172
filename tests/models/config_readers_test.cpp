// The generator and recognizer sections' readers: every key lands in the settings, sizes that do not fit are refused
// naming the key, and the dataset supplies joints, classes and topology.
#include <gtest/gtest.h>

#include "skelaug/core/config.h"
#include "skelaug/core/config_schema.h"
#include "skelaug/core/error.h"
#include "skelaug/data/data_config.h"
#include "skelaug/models/generator_config.h"
#include "skelaug/models/recognizer_config.h"

namespace skelaug::models {
namespace {

core::Config config(const std::vector<std::string>& overrides) {
  core::Schema schema;
  data::add_data_config_keys(schema);
  add_generator_config_keys(schema);
  add_recognizer_config_keys(schema);
  return core::parse_config(schema, "{}", "test", "test", overrides);
}

data::SkeletonDataset three_classes() {
  data::SkeletonDataset dataset;
  dataset.topology = "ntu25";
  dataset.fps = 30;
  dataset.class_names = {"a", "b", "c"};
  return dataset;
}

TEST(GeneratorSettings, ReadEveryKeyOfTheSection) {
  const auto settings = generator_settings(config(
      {"generator.conditioning=label", "generator.exemplar=other", "generator.width=96", "generator.heads=3",
       "generator.feedforward=200", "generator.encoder_layers=5", "generator.decoder_layers=6", "generator.dropout=0.2",
       "generator.diffusion_steps=300", "generator.loss.auxiliary=0.5", "generator.loss.label_smoothing=0.05",
       "generator.loss.velocity=2", "generator.loss.bone_length=3", "generator.condition_dropout=0.25",
       "generator.ema_decay=0.9", "data.clip_length=60"}));
  const auto& architecture = settings.architecture;
  EXPECT_EQ(architecture.conditioning, Conditioning::kLabel);
  EXPECT_EQ(architecture.width, 96);
  EXPECT_EQ(architecture.heads, 3);
  EXPECT_EQ(architecture.feedforward, 200);
  EXPECT_EQ(architecture.encoder_layers, 5);
  EXPECT_EQ(architecture.decoder_layers, 6);
  EXPECT_EQ(architecture.dropout, 0.2);
  EXPECT_EQ(architecture.clip_length, 60);
  EXPECT_EQ(settings.exemplar, TrainingExemplar::kOther);
  EXPECT_EQ(settings.diffusion_steps, 300);
  EXPECT_EQ(settings.ema_decay, 0.9);
  EXPECT_EQ(settings.loss.auxiliary, 0.5);
  EXPECT_EQ(settings.loss.label_smoothing, 0.05);
  EXPECT_EQ(settings.loss.velocity, 2.0);
  EXPECT_EQ(settings.loss.bone_length, 3.0);
  EXPECT_EQ(settings.loss.condition_dropout, 0.25);
  const auto options = settings.for_dataset(three_classes());
  EXPECT_EQ(options.num_joints, 25);
  EXPECT_EQ(options.num_classes, 3);
  EXPECT_EQ(options.width, 96);
}

TEST(GeneratorSettings, AWidthTheHeadsDoNotDivideIsRefused) {
  EXPECT_THROW(generator_settings(config({"generator.width=64", "generator.heads=3"})), core::UserError);
}

TEST(RecognizerSettings, ReadEveryKeyOfTheSection) {
  const auto settings = recognizer_settings(config(
      {"recognizer.architecture=ctrgcn", "recognizer.streams=[joint, bone_motion]", "recognizer.base_channels=24",
       "recognizer.stages=4", "recognizer.dropout=0.3", "recognizer.label_smoothing=0.1", "recognizer.momentum=0.8",
       "recognizer.sync_batch_norm=true"}));
  EXPECT_EQ(settings.architecture.architecture, "ctrgcn");
  EXPECT_EQ(settings.architecture.streams, (std::vector<InputStream>{InputStream::kJoint, InputStream::kBoneMotion}));
  EXPECT_EQ(settings.architecture.base_channels, 24);
  EXPECT_EQ(settings.architecture.stages, 4);
  EXPECT_EQ(settings.architecture.dropout, 0.3);
  EXPECT_EQ(settings.label_smoothing, 0.1);
  EXPECT_EQ(settings.momentum, 0.8);
  EXPECT_TRUE(settings.sync_batch_norm);
  const auto options = settings.for_dataset(three_classes());
  EXPECT_EQ(options.topology, "ntu25");
  EXPECT_EQ(options.num_classes, 3);
  EXPECT_EQ(recognizer_settings(config({"recognizer.architecture=msg3d"})).architecture.base_channels, 96);
}

TEST(RecognizerSettings, AnUnknownStreamIsRefusedNamingTheKey) {
  try {
    recognizer_settings(config({"recognizer.streams=[joint, speed]"}));
    FAIL() << "expected a UserError";
  } catch (const core::UserError& error) {
    EXPECT_EQ(std::string(error.what()).rfind("recognizer.streams: ", 0), 0u) << error.what();
  }
}

}  // namespace
}  // namespace skelaug::models
