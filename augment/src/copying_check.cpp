#include "skelaug/augment/copying_check.h"

#include <numeric>
#include <random>

#include "skelaug/data/transforms.h"
#include "skelaug/evaluation/nearest_clips.h"
#include "skelaug/evaluation/value_lists.h"

namespace skelaug::augment {

CopyingCheck::CopyingCheck(const data::SkeletonDataset& real) : real_(real) {}

CopyingCheck::PreparedClips CopyingCheck::prepare(const data::SkeletonDataset& dataset,
                                                  const std::vector<std::int64_t>& clips, std::int64_t length) {
  std::mt19937_64 unused(0);  // a centre crop draws nothing
  std::vector<at::Tensor> joints, masks;
  for (const auto clip : clips) {
    auto fixed = data::fix_length(data::clip_tensor(dataset, static_cast<std::size_t>(clip)), length,
                                  data::LengthMode::kCentreCrop, unused);
    joints.push_back(fixed.joints);
    masks.push_back(fixed.mask);
  }
  return {at::stack(joints), at::stack(masks)};
}

void CopyingCheck::add(const data::SkeletonDataset& generated, const std::vector<std::int64_t>& training_subset,
                       const std::vector<std::int64_t>& held_out, CopyingDistances& distances) {
  if (generated.size() == 0) return;
  const auto length = generated.frames(0);
  std::vector<std::int64_t> all(generated.size());
  std::iota(all.begin(), all.end(), 0);
  const auto fake = prepare(generated, all, length);
  const auto train = prepare(real_, training_subset, length);
  if (length != held_out_length_ || held_out != held_out_clips_) {
    held_out_ = prepare(real_, held_out, length);
    held_out_length_ = length;
    held_out_clips_ = held_out;
  }
  const auto& test = held_out_;
  const auto append = [](std::vector<double>& to, const at::Tensor& values) {
    const auto more = evaluation::to_doubles(values);
    to.insert(to.end(), more.begin(), more.end());
  };
  append(distances.generated_to_train,
         evaluation::nearest_clip_distances(fake.joints, fake.valid, train.joints, train.valid));
  append(distances.generated_to_test,
         evaluation::nearest_clip_distances(fake.joints, fake.valid, test.joints, test.valid));
  append(distances.train_to_test,
         evaluation::nearest_clip_distances(train.joints, train.valid, test.joints, test.valid));
}

}  // namespace skelaug::augment
