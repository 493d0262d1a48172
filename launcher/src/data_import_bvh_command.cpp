// `skelaug data import bvh`: motion-capture BVH files (e.g. the CMU database) into a dataset on a named topology.
#include <memory>
#include <string>

#include "data_commands.h"
#include "skelaug/data/bvh_import.h"
#include "skelaug/data/input_files.h"
#include "skelaug/data/topology_file.h"

namespace skelaug::launcher {

void register_import_bvh(CommandRegistry& registry, CLI::App* import_group) {
  auto request = std::make_shared<ImportRequest>();
  auto options = std::make_shared<data::BvhImportOptions>();
  auto* command = add_import_command(
      registry, import_group, "bvh",
      "Motion-capture BVH files: forward kinematics to joint positions, optional resampling, then a joint map onto a "
      "skelaug topology (one clip per file)",
      request, [request, options] {
        const auto files = data::expand_inputs(request->inputs, {".bvh"});
        auto resolved = *options;
        if (!resolved.topology.empty()) resolved.topology = data::topology_from(resolved.topology).name;
        return data::import_bvh_files(files, resolved);
      });
  command->add_option("--topology", options->topology, "the dataset's topology: smpl24, hml22, ntu25, vibe18 or a topology file (FILE.yaml)");
  command->add_option("--joint-map", options->joint_map,
                      "MAP.yaml (topology joint -> BVH joint name, or a list of names to average), or 'builtin' "
                      "(CMU skeletons to smpl24/hml22)");
  command->add_option("--fps", options->fps,
                      "resample to this frame rate by linear interpolation of joint positions (default: keep the "
                      "files' rate)");
  command
      ->add_option("--scale", options->scale,
                   "multiply file units by this to get metres (CMU: 0.056444 = 0.0254 / 0.45; files in cm: 0.01)")
      ->capture_default_str();
  command->add_option("--label", options->label, "the class of every file");
  command->add_option("--label-map", options->label_map, "YAML mapping: file stem -> class name");
}

}  // namespace skelaug::launcher
