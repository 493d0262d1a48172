// `skelaug render`: an animated grid of a dataset's clips (GIF, MP4 or a self-contained HTML page), real or
// generated, to look at what a dataset or a generator holds.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "skelaug/core/error.h"
#include "skelaug/data/dataset_io.h"
#include "skelaug/launcher/command_registry.h"
#include "skelaug/visual/clip_choice.h"
#include "skelaug/visual/clip_render.h"

namespace skelaug::launcher {
namespace {

struct RenderRequest {
  std::string input;
  std::string output;
  std::vector<std::int64_t> clips;
  std::int64_t per_class = 0;
  visual::RenderOptions options;
  bool columns_given = false;
};

int render(const RenderRequest& request) {
  if (request.clips.empty() && request.per_class == 0) {
    throw core::UserError("render: give --clips I,J,... (clip indices) or --per-class N");
  }
  const auto dataset = data::load_dataset(request.input);
  std::vector<std::int64_t> clips = request.clips;
  auto options = request.options;
  if (request.per_class > 0) {
    clips = visual::first_clips_per_class(dataset, request.per_class);
    // A row per class reads best when each class has several clips.
    if (!request.columns_given && request.per_class >= 2) options.columns = static_cast<int>(request.per_class);
  }
  for (const auto clip : clips) {
    if (clip < 0 || static_cast<std::size_t>(clip) >= dataset.size()) {
      throw core::UserError(fmt::format("--clips: clip {} is out of range: {} has clips 0..{}", clip, request.input,
                                        static_cast<std::int64_t>(dataset.size()) - 1));
    }
  }
  std::vector<visual::ClipPanel> panels;
  for (const auto clip : clips) panels.push_back({&dataset, clip, visual::clip_caption(dataset, clip)});
  visual::render_clips(panels, options, request.output);
  std::fputs(fmt::format("{}: {} clips of {}\n", request.output, panels.size(), request.input).c_str(), stdout);
  return core::kSuccess;
}

}  // namespace

void register_render_command(CommandRegistry& registry, const GlobalOptions&) {
  auto request = std::make_shared<RenderRequest>();
  auto* command = registry.add(
      &registry.app(), "render",
      "An animated grid of clips, front view, one scale for all: skelaug render DATA.npz|SAMPLE_DIR (--clips 3,7,12 | "
      "--per-class N) -o OUT.gif|OUT.mp4|OUT.html",
      [request] { return render(*request); });
  command->add_option("dataset", request->input, "a dataset file (.npz) or a sample directory")->required();
  auto* clips = command->add_option("--clips", request->clips, "the clips to draw, by index (e.g. 3,7,12)")
                    ->delimiter(',')
                    ->expected(1, -1);
  auto* per_class = command->add_option("--per-class", request->per_class,
                                        "the first N clips of each class, in dataset order (a row per class)")
                        ->check(CLI::Range(std::int64_t{1}, std::int64_t{1000}));
  clips->excludes(per_class);
  per_class->excludes(clips);
  command
      ->add_option("-o,--output", request->output,
                   "the picture: .gif (animated), .mp4 (H.264 video) or .html (opens in a browser)")
      ->required();
  command->add_option("--columns", request->options.columns, "panels per row (default: about square)")
      ->check(CLI::Range(1, 1000))
      ->each([request](const std::string&) { request->columns_given = true; });
  command->add_option("--size", request->options.panel_size, "pixels per panel side")
      ->check(CLI::Range(32, 2048))
      ->capture_default_str();
  command->add_option("--fps", request->options.fps, "frames per second (default: the dataset's)")
      ->check(CLI::PositiveNumber);
  command->add_option("--max-frames", request->options.max_frames, "draw at most this many frames (default: all)")
      ->check(CLI::PositiveNumber);
}

}  // namespace skelaug::launcher
