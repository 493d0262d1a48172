#include "skelaug/data/demo_dataset.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "demo_kinematics.h"
#include "demo_motions.h"
#include "demo_random.h"
#include "demo_subject.h"
#include "skelaug/core/error.h"
#include "skelaug/data/topology.h"

namespace skelaug::data {
namespace {

using demo::DemoRandom;
using demo::Vec3;

constexpr double kFps = 20.0;                      // HumanML3D's frame rate
constexpr std::uint64_t kClipStream = 0xC11B5;     // tags the clips' random streams
constexpr double kAngleJitter = 0.02;              // per-frame joint-angle noise, radians
constexpr double kAngleDrift = 0.06;               // slowly varying joint-angle noise, radians
constexpr double kRootJitter = 0.004;              // per-frame root position noise, metres

void check_options(const DemoOptions& options) {
  const auto fail = [](const std::string& what) { throw core::UserError("demo dataset: " + what); };
  if (options.clips_per_class < 1) fail(fmt::format("clips per class must be >= 1, got {}", options.clips_per_class));
  if (options.subjects < 1) fail(fmt::format("subjects must be >= 1, got {}", options.subjects));
  if (options.min_frames < 2) fail(fmt::format("min frames must be >= 2, got {}", options.min_frames));
  if (options.max_frames < options.min_frames) {
    fail(fmt::format("max frames ({}) must be >= min frames ({})", options.max_frames, options.min_frames));
  }
  if (!(options.noise >= 0) || !std::isfinite(options.noise)) {
    fail(fmt::format("noise must be finite and >= 0, got {}", options.noise));
  }
}

// The generator's joint table must be hml22's; a mismatch is a bug here, not a user mistake.
void check_topology() {
  const Topology& hml22 = topology("hml22");
  bool same = hml22.num_joints() == demo::kNumJoints;
  for (int j = 0; same && j < demo::kNumJoints; ++j) {
    same = hml22.joint_names[j] == demo::kJointNames[j] && hml22.parents[j] == demo::kParents[j];
  }
  if (!same) throw std::logic_error("demo dataset: the generator's joint table does not match topology hml22");
}

// A slow random wobble of every joint angle: a sinusoid per angle with its own rate and phase.
struct AngleDrift {
  std::array<Vec3, demo::kNumJoints> amplitude, rate, phase;

  AngleDrift(DemoRandom& random, double scale) {
    for (int j = 0; j < demo::kNumJoints; ++j) {
      amplitude[j] = {random.normal(0, scale), random.normal(0, scale), random.normal(0, scale)};
      rate[j] = {random.uniform(0.2, 1.0), random.uniform(0.2, 1.0), random.uniform(0.2, 1.0)};
      phase[j] = {random.uniform(0, 2 * demo::kPi), random.uniform(0, 2 * demo::kPi), random.uniform(0, 2 * demo::kPi)};
    }
  }
  Vec3 at(int joint, double t) const {
    const auto wave = [t](double a, double r, double p) { return a * std::sin(2 * demo::kPi * r * t + p); };
    return {wave(amplitude[joint].x, rate[joint].x, phase[joint].x), wave(amplitude[joint].y, rate[joint].y, phase[joint].y),
            wave(amplitude[joint].z, rate[joint].z, phase[joint].z)};
  }
};

// The horizontal point a ground anchor keeps in place.
Vec3 anchor_point(demo::GroundAnchor anchor, const demo::JointPositions& p) {
  switch (anchor) {
    case demo::GroundAnchor::kLeftFoot: return p[demo::kLeftAnkle];
    case demo::GroundAnchor::kRightFoot: return p[demo::kRightAnkle];
    default: return 0.5 * (p[demo::kLeftAnkle] + p[demo::kRightAnkle]);
  }
}

// Renders one clip: joint positions [frames, 22, 3] as float32, appended to `out`.
void render_clip(const demo::DemoSubject& subject, const demo::DemoAction& action, DemoRandom& random, int frames,
                 double noise, std::vector<float>& out) {
  const double duration = frames / kFps;
  const demo::DemoMotion motion = action.sample(random, subject, duration);
  const double facing = random.uniform(0, 2 * demo::kPi);
  const Vec3 start{random.uniform(-1.5, 1.5), 0, random.uniform(-1.5, 1.5)};
  const AngleDrift drift(random, kAngleDrift * noise);
  const demo::Mat3 facing_rotation = demo::rotation_y(facing);

  Vec3 anchor_reference;
  for (int f = 0; f < frames; ++f) {
    const double t = f / kFps;
    demo::DemoPose pose = motion.pose_at(t);
    for (int j = 0; j < demo::kNumJoints; ++j) {
      const Vec3 wobble = drift.at(j, t);
      const double jitter = kAngleJitter * noise;
      pose.angles[j] = pose.angles[j] + wobble +
                       Vec3{random.normal(0, jitter), random.normal(0, jitter), random.normal(0, jitter)};
    }
    demo::JointPositions positions = demo::forward_kinematics(subject.offsets, pose.angles, facing + pose.turn);

    // Horizontal placement: follow the travel, or keep the planted foot where it stood in the first frame.
    Vec3 shift;
    if (motion.anchor == demo::GroundAnchor::kTravel) {
      shift = start + facing_rotation * pose.travel;
    } else {
      const Vec3 anchor = anchor_point(motion.anchor, positions);
      if (f == 0) anchor_reference = anchor;
      shift = start + anchor_reference - anchor;
    }
    // Vertical placement: the lowest point of the feet on the ground, raised by the pose's lift.
    double lowest = positions[demo::kLeftAnkle].y;
    for (const int j : {demo::kRightAnkle, demo::kLeftFoot, demo::kRightFoot}) lowest = std::min(lowest, positions[j].y);
    shift.y = pose.lift - lowest;
    const double root_jitter = kRootJitter * noise;
    shift = shift + Vec3{random.normal(0, root_jitter), random.normal(0, root_jitter), random.normal(0, root_jitter)};

    for (const Vec3& p : positions) {
      const Vec3 q = p + shift;
      out.push_back(static_cast<float>(q.x));
      out.push_back(static_cast<float>(q.y));
      out.push_back(static_cast<float>(q.z));
    }
  }
}

// The subject of a class's index-th clip. Clips cycle through the subjects in an order that spreads the test
// subjects among the training ones (in the train:test ratio), so that even a few clips per class fall in both
// splits, and a clip's subject does not depend on how many clips per class are made.
int subject_of_clip(int index, int subjects, int train_subjects) {
  const int test_subjects = subjects - train_subjects;
  const int position = index % subjects;
  const int tests_before = position * test_subjects / subjects;      // test slots among positions [0, position)
  const int tests_through = (position + 1) * test_subjects / subjects;  // ... among [0, position]
  return tests_through > tests_before ? train_subjects + tests_before : position - tests_before;
}

}  // namespace

std::vector<std::string> demo_class_names() {
  std::vector<std::string> names;
  for (const auto& action : demo::demo_actions()) names.emplace_back(action.name);
  return names;
}

int demo_train_subjects(int subjects) {
  if (subjects <= 1) return std::max(subjects, 0);
  return std::clamp(static_cast<int>(std::lround(0.7 * subjects)), 1, subjects - 1);
}

SkeletonDataset make_demo_dataset(const DemoOptions& options) {
  check_options(options);
  check_topology();
  const auto& actions = demo::demo_actions();
  std::vector<demo::DemoSubject> subjects;
  for (int s = 0; s < options.subjects; ++s) subjects.push_back(demo::make_demo_subject(options.seed, s));
  const int train_subjects = demo_train_subjects(options.subjects);

  SkeletonDataset dataset;
  dataset.topology = "hml22";
  dataset.fps = kFps;
  dataset.class_names = demo_class_names();
  std::vector<float> clip;
  for (std::size_t label = 0; label < actions.size(); ++label) {
    for (int index = 0; index < options.clips_per_class; ++index) {
      DemoRandom random(demo::derive_seed({options.seed, kClipStream, label, static_cast<std::uint64_t>(index)}));
      const int subject = subject_of_clip(index, options.subjects, train_subjects);
      const int frames = random.integer(options.min_frames, options.max_frames);
      clip.clear();
      render_clip(subjects[static_cast<std::size_t>(subject)], actions[label], random, frames, options.noise, clip);
      ClipInfo info;
      info.subject = subject;
      info.split = subject < train_subjects ? "train" : "test";
      info.source = fmt::format("demo:{}:{}", actions[label].name, index);
      dataset.add_clip(clip.data(), frames, static_cast<std::int64_t>(label), info);
    }
  }
  return dataset;
}

}  // namespace skelaug::data
