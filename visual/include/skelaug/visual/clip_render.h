#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "skelaug/data/skeleton_dataset.h"

namespace skelaug::visual {

// One cell of a render_clips grid: a clip of a dataset (which must outlive the call) and the text under it.
struct ClipPanel {
  const data::SkeletonDataset* dataset = nullptr;
  std::int64_t clip = 0;
  std::string caption;          // under the panel, e.g. "wave (real, clip 12)" or "wave (generated from 12)"
};

struct RenderOptions {
  int columns = 0;              // 0 = about square
  int panel_size = 160;         // pixels per panel side
  double fps = 0;               // 0 = the first panel's dataset fps
  std::int64_t max_frames = 0;  // 0 = the longest clip's frames
};

// Whether this build writes .mp4 (configured with SKELAUG_WITH_VIDEO and FFmpeg's libraries); otherwise render_clips
// refuses .mp4 with core::UserError saying so.
bool can_render_mp4();

// An animated grid of clips: each panel draws the topology's bones (data::topology(dataset.topology)) of its clip
// frame by frame, front view (x right, y up; the datasets are y-up, metres), every panel scaled by one common scale so
// sizes compare (the scale that fits the largest pose and the tallest clip; a clip that travels further sideways than
// its panel shows, a long walk, is followed by its panel), shorter clips holding their last frame; the caption under
// each panel. Left and right limbs (the topology's mirror pairs) have their own colours. By the extension of `output`:
// - .gif: libgd animated GIF, looping; above 50 fps every k-th frame is kept, since GIF delays are whole hundredths
//   and viewers slow shorter ones down;
// - .mp4: H.264 (FFmpeg's libavcodec with libx264), every frame at the clips' rate, for slides and players;
// - .html: one self-contained page, the joints as JSON and a small canvas script; opens in any browser offline.
// Written atomically. core::UserError for another extension (or .gif and .mp4 where !can_draw_pictures(), .mp4 where
// !can_render_mp4()), an empty panel list, a
// panel without a dataset or with a clip out of range, or options out of range (columns < 0, panel_size outside
// 32..2048, fps < 0, max_frames < 0).
void render_clips(const std::vector<ClipPanel>& panels, const RenderOptions& options,
                  const std::filesystem::path& output);

}  // namespace skelaug::visual
