#include "skelaug/data/dataset_io.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

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

// The topology's whole definition beside its name, so that a file needs no topology file to be read:
//   topology_joints <U [J], topology_parents int64 [J], topology_mirror int64 [P, 2], topology_feet int64 [F],
//   topology_up <U 0-d (x, y or z), topology_groups <U [G], topology_group_joints int64 [G, K] (-1 padded).
void add_topology_arrays(const Topology& topology, std::vector<std::pair<std::string, NpyArray>>& arrays) {
  const auto joints = static_cast<std::int64_t>(topology.num_joints());
  arrays.emplace_back("topology_joints", NpyArray::from_strings({joints}, topology.joint_names));
  arrays.emplace_back("topology_parents",
                      NpyArray::from_int64({joints}, {topology.parents.begin(), topology.parents.end()}));
  std::vector<std::int64_t> mirror;
  for (const auto& [left, right] : topology.mirror_pairs) mirror.insert(mirror.end(), {left, right});
  arrays.emplace_back("topology_mirror",
                      NpyArray::from_int64({static_cast<std::int64_t>(topology.mirror_pairs.size()), 2}, mirror));
  arrays.emplace_back("topology_feet", NpyArray::from_int64({static_cast<std::int64_t>(topology.foot_joints.size())},
                                                            {topology.foot_joints.begin(), topology.foot_joints.end()}));
  arrays.emplace_back("topology_up", NpyArray::scalar_string(std::string(1, "xyz"[topology.up_axis])));
  std::vector<std::string> group_names;
  std::size_t widest = 0;
  for (const auto& [group, members] : topology.groups) {
    group_names.push_back(group);
    widest = std::max(widest, members.size());
  }
  std::vector<std::int64_t> members(topology.groups.size() * widest, -1);
  for (std::size_t g = 0; g < topology.groups.size(); ++g) {
    std::copy(topology.groups[g].second.begin(), topology.groups[g].second.end(), members.begin() + static_cast<std::ptrdiff_t>(g * widest));
  }
  const auto groups = static_cast<std::int64_t>(group_names.size());
  arrays.emplace_back("topology_groups", NpyArray::from_strings({groups}, group_names));
  arrays.emplace_back("topology_group_joints",
                      NpyArray::from_int64({groups, static_cast<std::int64_t>(widest)}, members));
}

// The topology a file names: its stored definition (registered under its name for the rest of the run), or, for files
// written before definitions were stored, the built-in of that name.
const Topology& stored_topology(const std::map<std::string, NpyArray>& arrays, const std::string& name,
                                const std::string& file) {
  const auto joints = arrays.find("topology_joints");
  if (joints == arrays.end()) return topology(name);
  const auto where = file + ": topology";
  Topology definition;
  definition.name = name;
  definition.joint_names = joints->second.to_strings();
  const auto count = static_cast<std::int64_t>(definition.joint_names.size());
  const auto& parents = required(arrays, "topology_parents", file);
  expect_shape(parents, {count}, file + ": topology_parents");
  for (const auto parent : parents.to_int64()) definition.parents.push_back(static_cast<int>(parent));
  const auto& mirror = required(arrays, "topology_mirror", file);
  if (mirror.shape.size() != 2 || mirror.shape[1] != 2) throw core::UserError(file + ": topology_mirror: must be [P, 2]");
  const auto pairs = mirror.to_int64();
  for (std::size_t i = 0; i + 1 < pairs.size(); i += 2) {
    definition.mirror_pairs.emplace_back(static_cast<int>(pairs[i]), static_cast<int>(pairs[i + 1]));
  }
  const auto& feet = required(arrays, "topology_feet", file);
  if (feet.shape.size() != 1) throw core::UserError(file + ": topology_feet: must be one-dimensional");
  for (const auto foot : feet.to_int64()) definition.foot_joints.push_back(static_cast<int>(foot));
  const auto up = required(arrays, "topology_up", file).to_strings().at(0);
  if (up.size() != 1 || std::string("xyz").find(up) == std::string::npos) {
    throw core::UserError(fmt::format("{}: topology_up: '{}' is not x, y or z", file, up));
  }
  definition.up_axis = static_cast<int>(std::string("xyz").find(up));
  const auto& group_names = required(arrays, "topology_groups", file);
  const auto& group_joints = required(arrays, "topology_group_joints", file);
  const auto names = group_names.to_strings();
  if (group_joints.shape.size() != 2 || group_joints.shape[0] != static_cast<std::int64_t>(names.size())) {
    throw core::UserError(file + ": topology_group_joints: must be [G, K] for the G topology_groups");
  }
  const auto members = group_joints.to_int64();
  const auto width = static_cast<std::size_t>(group_joints.shape[1]);
  for (std::size_t g = 0; g < names.size(); ++g) {
    std::vector<int> group;
    for (std::size_t k = 0; k < width && members[g * width + k] >= 0; ++k) group.push_back(static_cast<int>(members[g * width + k]));
    definition.groups.emplace_back(names[g], group);
  }
  return register_topology(definition, where);
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
  add_topology_arrays(topology(dataset.topology), arrays);
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
    const int J = stored_topology(arrays, dataset.topology, name).num_joints();
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
