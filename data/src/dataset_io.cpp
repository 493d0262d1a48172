#include "skelaug/data/dataset_io.h"

#include <fmt/format.h>

#include <algorithm>

#include "skelaug/core/error.h"
#include "skelaug/data/npz.h"
#include "skelaug/data/sample_directory.h"
#include "skelaug/data/topology.h"

namespace skelaug::data {
namespace {

using Arrays = std::map<std::string, NpyArray>;

const NpyArray& required(const Arrays& arrays, const std::string& name, const std::string& file) {
  const auto it = arrays.find(name);
  if (it == arrays.end()) throw core::UserError(fmt::format("{}: array '{}' is missing", file, name));
  return it->second;
}

void expect_shape(const NpyArray& array, const std::vector<std::int64_t>& shape, const std::string& where) {
  if (array.shape != shape) {
    throw core::UserError(fmt::format("{}: shape ({}) where ({}) is needed", where, fmt::join(array.shape, ", "),
                                      fmt::join(shape, ", ")));
  }
}

}  // namespace

void save_dataset(const std::filesystem::path& file, const SkeletonDataset& dataset) {
  dataset.validate(file.string());
  const auto clips = static_cast<std::int64_t>(dataset.size());
  const std::vector<std::int64_t> per_clip{clips};
  std::vector<std::pair<std::string, NpyArray>> arrays;
  arrays.emplace_back("joints", NpyArray::from_float32({dataset.total_frames(), dataset.num_joints(), 3}, dataset.joints));
  arrays.emplace_back("offsets", NpyArray::from_int64({clips + 1}, dataset.offsets));
  arrays.emplace_back("labels", NpyArray::from_int64(per_clip, dataset.labels));
  arrays.emplace_back("class_names", NpyArray::from_strings({static_cast<std::int64_t>(dataset.class_names.size())},
                                                            dataset.class_names));
  arrays.emplace_back("topology", NpyArray::scalar_string(dataset.topology));
  arrays.emplace_back("fps", NpyArray::scalar_float64(dataset.fps));
  if (!dataset.subject.empty()) arrays.emplace_back("subject", NpyArray::from_int64(per_clip, dataset.subject));
  if (!dataset.camera.empty()) arrays.emplace_back("camera", NpyArray::from_int64(per_clip, dataset.camera));
  if (!dataset.body.empty()) arrays.emplace_back("body", NpyArray::from_int64(per_clip, dataset.body));
  if (!dataset.split.empty()) arrays.emplace_back("split", NpyArray::from_strings(per_clip, dataset.split));
  if (!dataset.source.empty()) arrays.emplace_back("source", NpyArray::from_strings(per_clip, dataset.source));
  if (!dataset.gen_seed.empty()) {
    arrays.emplace_back("gen_exemplar", NpyArray::from_int64(per_clip, dataset.gen_exemplar));
    arrays.emplace_back("gen_seed", NpyArray::from_int64(per_clip, dataset.gen_seed));
    arrays.emplace_back("gen_rounds", NpyArray::from_int64(per_clip, dataset.gen_rounds));
    arrays.emplace_back("gen_deviation", NpyArray::from_float32(per_clip, dataset.gen_deviation));
    arrays.emplace_back("gen_confidence", NpyArray::from_float32(per_clip, dataset.gen_confidence));
  }
  write_npz(file, arrays);
}

SkeletonDataset load_dataset(const std::filesystem::path& file) {
  if (std::filesystem::is_directory(file)) {
    if (!is_sample_directory(file)) {
      throw core::UserError(fmt::format("{}: a directory without {}: neither a dataset file nor a sample set",
                                        file.string(), kSampleManifest));
    }
    return load_sample_directory(file);
  }
  const auto name = file.string();
  const auto arrays = read_npz(file);
  SkeletonDataset dataset;
  try {
    dataset.topology = required(arrays, "topology", name).to_strings().at(0);
    const int J = topology(dataset.topology).num_joints();
    const auto& fps = required(arrays, "fps", name);
    expect_shape(fps, {}, name + ": fps");
    dataset.fps = fps.to_float64().at(0);
    const auto& labels = required(arrays, "labels", name);
    if (labels.shape.size() != 1) throw core::UserError(name + ": labels: must be one-dimensional");
    const std::int64_t clips = labels.shape[0];
    dataset.labels = labels.to_int64();
    const auto& offsets = required(arrays, "offsets", name);
    expect_shape(offsets, {clips + 1}, name + ": offsets");
    dataset.offsets = offsets.to_int64();
    const auto& joints = required(arrays, "joints", name);
    expect_shape(joints, {dataset.offsets.empty() ? 0 : dataset.offsets.back(), J, 3}, name + ": joints");
    dataset.joints = joints.to_float32();
    const auto& classes = required(arrays, "class_names", name);
    if (classes.shape.size() != 1) throw core::UserError(name + ": class_names: must be one-dimensional");
    dataset.class_names = classes.to_strings();
    const auto optional_ints = [&](const char* column, std::vector<std::int64_t>& out) {
      if (const auto it = arrays.find(column); it != arrays.end()) {
        expect_shape(it->second, {clips}, name + ": " + column);
        out = it->second.to_int64();
      }
    };
    const auto optional_strings = [&](const char* column, std::vector<std::string>& out) {
      if (const auto it = arrays.find(column); it != arrays.end()) {
        expect_shape(it->second, {clips}, name + ": " + column);
        out = it->second.to_strings();
      }
    };
    optional_ints("subject", dataset.subject);
    optional_ints("camera", dataset.camera);
    optional_ints("body", dataset.body);
    optional_strings("split", dataset.split);
    optional_strings("source", dataset.source);
    optional_ints("gen_exemplar", dataset.gen_exemplar);
    optional_ints("gen_seed", dataset.gen_seed);
    optional_ints("gen_rounds", dataset.gen_rounds);
    for (const auto& [column, out] : {std::pair<const char*, std::vector<float>*>{"gen_deviation", &dataset.gen_deviation},
                                      std::pair<const char*, std::vector<float>*>{"gen_confidence",
                                                                                 &dataset.gen_confidence}}) {
      if (const auto it = arrays.find(column); it != arrays.end()) {
        expect_shape(it->second, {clips}, name + ": " + column);
        *out = it->second.to_float32();
      }
    }
  } catch (const core::UserError& e) {
    if (std::string_view(e.what()).rfind(name, 0) == 0) throw;
    throw core::UserError(fmt::format("{}: {}", name, e.what()));
  } catch (const std::exception& e) {
    throw core::UserError(fmt::format("{}: {}", name, e.what()));
  }
  dataset.validate(name);
  return dataset;
}

}  // namespace skelaug::data
