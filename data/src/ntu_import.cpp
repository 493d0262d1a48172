// From NTU RGB+D .skeleton files to a skelaug dataset: which bodies become clips, their labels and their splits.
#include "skelaug/data/ntu_import.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "skelaug/core/error.h"
#include "skelaug/core/logging.h"
#include "skelaug/data/topology.h"

namespace skelaug::data {

const std::vector<std::string>& ntu_action_names() {
  static const std::vector<std::string> names{
      // NTU RGB+D 60: A001..A060
      "drink water", "eat meal/snack", "brushing teeth", "brushing hair", "drop", "pickup", "throw", "sitting down",
      "standing up (from sitting position)", "clapping", "reading", "writing", "tear up paper", "wear jacket",
      "take off jacket", "wear a shoe", "take off a shoe", "wear on glasses", "take off glasses", "put on a hat/cap",
      "take off a hat/cap", "cheer up", "hand waving", "kicking something", "reach into pocket",
      "hopping (one foot jumping)", "jump up", "make a phone call/answer phone", "playing with phone/tablet",
      "typing on a keyboard", "pointing to something with finger", "taking a selfie", "check time (from watch)",
      "rub two hands together", "nod head/bow", "shake head", "wipe face", "salute", "put the palms together",
      "cross hands in front (say stop)", "sneeze/cough", "staggering", "falling", "touch head (headache)",
      "touch chest (stomachache/heart pain)", "touch back (backache)", "touch neck (neckache)",
      "nausea or vomiting condition", "use a fan (with hand or paper)/feeling warm", "punching/slapping other person",
      "kicking other person", "pushing other person", "pat on back of other person", "point finger at the other person",
      "hugging other person", "giving something to other person", "touch other person's pocket", "handshaking",
      "walking towards each other", "walking apart from each other",
      // NTU RGB+D 120 adds A061..A120
      "put on headphone", "take off headphone", "shoot at the basket", "bounce ball", "tennis bat swing",
      "juggling table tennis balls", "hush (quite)", "flick hair", "thumb up", "thumb down", "make ok sign",
      "make victory sign", "staple book", "counting money", "cutting nails", "cutting paper (using scissors)",
      "snapping fingers", "open bottle", "sniff (smell)", "squat down", "toss a coin", "fold paper", "ball up paper",
      "play magic cube", "apply cream on face", "apply cream on hand back", "put on bag", "take off bag",
      "put something into a bag", "take something out of a bag", "open a box", "move heavy objects", "shake fist",
      "throw up cap/hat", "hands up (both hands)", "cross arms", "arm circles", "arm swings", "running on the spot",
      "butt kicks (kick backward)", "cross toe touch", "side kick", "yawn", "stretch oneself", "blow nose",
      "hit other person with something", "wield knife towards other person", "knock over other person (hit with body)",
      "grab other person's stuff", "shoot at other person with a gun", "step on foot", "high-five", "cheers and drink",
      "carry something with other person", "take a photo of other person", "follow other person",
      "whisper in other person's ear", "exchange things with other person", "support somebody with hand",
      "finger-guessing game (playing rock-paper-scissors)"};
  return names;
}

bool ntu_is_training_performer(int performer) {
  // Liu et al., NTU RGB+D 120 (TPAMI 2020), cross-subject protocol; its first 20 entries are NTU RGB+D 60's list.
  static constexpr int kTraining[] = {1,  2,  4,  5,  8,  9,  13, 14, 15, 16, 17, 18, 19, 25, 27, 28,  31, 34,
                                      35, 38, 45, 46, 47, 49, 50, 52, 53, 54, 55, 56, 57, 58, 59, 70,  74, 78,
                                      80, 81, 82, 83, 84, 85, 86, 89, 91, 92, 93, 94, 95, 97, 98, 100, 103};
  return std::find(std::begin(kTraining), std::end(kTraining), performer) != std::end(kTraining);
}

std::string ntu_split_of(const NtuRecordingName& name, NtuSplit split) {
  switch (split) {
    case NtuSplit::kNone:
      return "";
    case NtuSplit::kCrossSubject:
      return ntu_is_training_performer(name.performer) ? "train" : "test";
    case NtuSplit::kCrossView:
      return name.camera == 2 || name.camera == 3 ? "train" : "test";
    case NtuSplit::kCrossSetup:
      return name.setup % 2 == 0 ? "train" : "test";
  }
  return "";
}

SkeletonDataset import_ntu_skeletons(const std::vector<std::filesystem::path>& files, const NtuImportOptions& options) {
  if (options.max_bodies < 1) throw core::UserError(fmt::format("max bodies {} is below 1", options.max_bodies));
  if (options.classes != 0 && options.classes != 60 && options.classes != 120) {
    throw core::UserError(fmt::format("NTU class count {} is neither 60 nor 120", options.classes));
  }
  // Every name is checked before any file is read, so a misnamed file fails the import at once.
  std::vector<NtuRecordingName> names;
  names.reserve(files.size());
  int highest_action = 0;
  for (const auto& file : files) {
    names.push_back(parse_ntu_name(file));
    highest_action = std::max(highest_action, names.back().action);
  }
  const int classes = options.classes != 0 ? options.classes : (highest_action <= 60 ? 60 : 120);
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (names[i].action > classes) {
      throw core::UserError(fmt::format("{}: action A{:03} is outside the {} NTU RGB+D classes", files[i].string(),
                                        names[i].action, classes));
    }
  }

  SkeletonDataset dataset;
  dataset.topology = "ntu25";
  if (topology(dataset.topology).num_joints() != kNtuJoints) {
    throw std::logic_error("the ntu25 topology does not have the 25 joints of an NTU RGB+D body");
  }
  dataset.fps = 30;  // Kinect v2 skeleton stream
  const auto& all_names = ntu_action_names();
  dataset.class_names.assign(all_names.begin(), all_names.begin() + classes);

  std::size_t without_bodies = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const NtuRecording recording = read_ntu_skeleton(files[i]);
    if (recording.bodies.empty()) {
      SKELAUG_LOG(kWarning) << files[i].string() << ": no body is tracked in any of its " << recording.frame_count
                            << " frames; skipped";
      ++without_bodies;
      continue;
    }
    const auto order = bodies_by_motion(recording);
    const std::size_t kept =
        options.bodies == NtuBodies::kMain ? 1 : std::min(order.size(), static_cast<std::size_t>(options.max_bodies));
    for (std::size_t rank = 0; rank < kept; ++rank) {
      const NtuBody& body = recording.bodies[order[rank]];
      ClipInfo info;
      info.subject = names[i].performer;
      info.camera = names[i].camera;
      info.body = static_cast<std::int64_t>(rank);
      info.split = ntu_split_of(names[i], options.split);
      info.source = files[i].string();
      dataset.add_clip(body.joints.data(), body.num_frames(), names[i].action - 1, info);
    }
  }
  if (dataset.size() == 0) {
    throw core::UserError(fmt::format("no body is tracked in any of the {} NTU RGB+D files", files.size()));
  }
  if (without_bodies > 0) {
    SKELAUG_LOG(kWarning) << without_bodies << " of " << files.size() << " NTU RGB+D files had no tracked body";
  }
  return dataset;
}

}  // namespace skelaug::data
