// HumanAct12: humanact12poses.pkl -> smpl24 dataset; and HumanAct12's class lists.
#include <fmt/format.h>

#include "python_tool.h"
#include "skelaug/core/error.h"
#include "skelaug/data/npz.h"
#include "skelaug/data/pickle_imports.h"
#include "temporary_directory.h"

namespace skelaug::data {

const std::vector<std::string>& humanact12_coarse_classes() {
  static const std::vector<std::string> names{"warm_up", "walk", "run",   "jump",  "drink",  "lift_dumbbell",
                                              "sit",     "eat",  "turn_steering_wheel", "phone", "boxing", "throw"};
  return names;
}

const std::vector<std::pair<std::string, std::string>>& humanact12_fine_classes() {
  // The codes are the suffix of HumanAct12's original file names (A<coarse><fine>); the order is the authors'.
  static const std::vector<std::pair<std::string, std::string>> classes{
      {"A0101", "warm_up_wristankle"},
      {"A0102", "warm_up_pectoral"},
      {"A0103", "warm_up_eblowback"},
      {"A0104", "warm_up_bodylean_right_arm"},
      {"A0105", "warm_up_bodylean_left_arm"},
      {"A0106", "warm_up_bow_right"},
      {"A0107", "warm_up_bow_left"},
      {"A0201", "walk"},
      {"A0301", "run"},
      {"A0401", "jump_handsup"},
      {"A0402", "jump_vertical"},
      {"A0501", "drink_bottle_righthand"},
      {"A0502", "drink_bottle_lefthand"},
      {"A0503", "drink_cup_righthand"},
      {"A0504", "drink_cup_lefthand"},
      {"A0505", "drink_both_hands"},
      {"A0601", "lift_dumbbell_with_right_hand"},
      {"A0602", "lift_dumbbell_with_left_hand"},
      {"A0603", "lift_dumbbells_with_both_hands"},
      {"A0604", "lift_dumbbell_over_head"},
      {"A0605", "lift_dumbbells_with_both_hands_and_bend_legs"},
      {"A0701", "sit"},
      {"A0801", "eat_finger_right"},
      {"A0802", "eat_pie_hamburger"},
      {"A0803", "eat_with_left_hand"},
      {"A0901", "turn_steering_wheel"},
      {"A1001", "take_out_phone_call_and_put_phone_back"},
      {"A1002", "call_with_left_hand"},
      {"A1101", "boxing_left_right"},
      {"A1102", "boxing_left_upwards"},
      {"A1103", "boxing_right_upwards"},
      {"A1104", "boxing_right_left"},
      {"A1201", "throw_right_hand"},
      {"A1202", "throw_both_hands"},
  };
  return classes;
}

SkeletonDataset import_humanact12(const std::filesystem::path& pickle, double fps) {
  TemporaryDirectory scratch("skelaug-humanact12-");
  const auto raw_file = scratch.path() / "raw.npz";
  run_python_tool("humanact12.py", {pickle.string(), raw_file.string()});
  const auto raw = read_npz(raw_file);

  const auto joints = raw.at("joints").to_float32();
  const auto offsets = raw.at("offsets").to_int64();
  const auto labels = raw.at("labels").to_int64();

  SkeletonDataset dataset;
  dataset.topology = "smpl24";
  dataset.fps = fps;
  dataset.class_names = humanact12_coarse_classes();
  constexpr int kValuesPerFrame = 24 * 3;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    ClipInfo info;
    info.source = fmt::format("{}:{}", pickle.string(), i);
    dataset.add_clip(joints.data() + offsets[i] * kValuesPerFrame, offsets[i + 1] - offsets[i], labels[i], info);
  }
  dataset.validate(pickle.string());
  return dataset;
}

}  // namespace skelaug::data
