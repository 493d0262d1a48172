#include "clip_html.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

namespace skelaug::visual {
namespace {

nlohmann::json grid_json(const ClipGrid& grid) {
  nlohmann::json panels = nlohmann::json::array();
  for (const auto& panel : grid.panels) {
    const int joints = panel.topology->num_joints();
    const float* values = panel.dataset->clip_data(static_cast<std::size_t>(panel.clip));
    nlohmann::json frames = nlohmann::json::array();
    for (std::int64_t frame = 0; frame < panel.frames; ++frame) {
      std::vector<double> flat(static_cast<std::size_t>(joints) * 3);
      for (std::size_t v = 0; v < flat.size(); ++v) {
        flat[v] = std::round(values[frame * joints * 3 + static_cast<std::int64_t>(v)] * 1000.0) / 1000.0;
      }
      frames.push_back(std::move(flat));
    }
    nlohmann::json sides = nlohmann::json::array();
    for (const auto side : panel.bone_sides) sides.push_back(static_cast<int>(side));
    panels.push_back({{"caption", panel.caption},
                      {"topology", panel.topology->name},
                      {"clip", panel.clip},
                      {"left", panel.left},
                      {"top", panel.top},
                      {"centre_x", panel.centre_x},
                      {"centre_y", panel.centre_y},
                      {"bones", panel.bones},
                      {"sides", sides},
                      {"joints", std::move(frames)}});
  }
  return {{"fps", grid.fps},
          {"frames", grid.frames},
          {"width", grid.width},
          {"height", grid.height},
          {"panel_size", grid.panel_size},
          {"caption_height", grid.caption_height},
          {"pixels_per_metre", grid.pixels_per_metre},
          {"panels", std::move(panels)}};
}

// JSON inside <script> must not contain "</script>" or "<!--": every '<' (only possible inside strings) is written
// as its \u escape, which JSON.parse reads back unchanged.
std::string script_safe(const std::string& json) {
  std::string safe;
  safe.reserve(json.size());
  for (const char c : json) {
    if (c == '<') {
      safe += "\\u003c";
    } else {
      safe += c;
    }
  }
  return safe;
}

// Draws with the same geometry as the GIF: front view, one scale, a panel following a long walk, shorter clips
// holding their last frame.
constexpr const char* kPlayerScript = R"js(
(function () {
  const data = JSON.parse(document.getElementById('clip-data').textContent);
  const canvas = document.getElementById('clips');
  const context = canvas.getContext('2d');
  const colours = ['#3c3c3c', '#1f77b4', '#e66e0a'];  // centre, left, right
  const lineWidth = Math.max(1, Math.floor(data.panel_size / 80));
  const label = document.getElementById('frame');
  const button = document.getElementById('play');
  let frame = 0, playing = true, shownAt = null;

  function point(panel, joint) {
    const shown = Math.min(frame, panel.joints.length - 1);
    const pose = panel.joints[shown];
    const centreX = panel.centre_x[Math.min(shown, panel.centre_x.length - 1)];
    const half = data.panel_size / 2;
    return [panel.left + half + (pose[3 * joint] - centreX) * data.pixels_per_metre,
            panel.top + half - (pose[3 * joint + 1] - panel.centre_y) * data.pixels_per_metre];
  }

  function draw() {
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    for (const panel of data.panels) {
      context.strokeStyle = '#dcdcdc';
      context.lineWidth = 1;
      context.strokeRect(panel.left + 0.5, panel.top + 0.5, data.panel_size - 1,
                         data.panel_size + data.caption_height - 1);
      context.lineWidth = lineWidth;
      context.lineCap = 'round';
      panel.bones.forEach(function (bone, index) {
        const child = point(panel, bone[0]), parent = point(panel, bone[1]);
        context.strokeStyle = colours[panel.sides[index]];
        context.beginPath();
        context.moveTo(child[0], child[1]);
        context.lineTo(parent[0], parent[1]);
        context.stroke();
      });
      context.fillStyle = colours[0];
      for (let joint = 0; joint < panel.joints[0].length / 3; ++joint) {
        const at = point(panel, joint);
        context.beginPath();
        context.arc(at[0], at[1], (lineWidth + 2) / 2, 0, 2 * Math.PI);
        context.fill();
      }
      context.fillStyle = '#282828';
      context.font = '12px sans-serif';
      context.textAlign = 'center';
      context.textBaseline = 'middle';
      context.fillText(panel.caption, panel.left + data.panel_size / 2,
                       panel.top + data.panel_size + data.caption_height / 2, data.panel_size - 4);
    }
    label.textContent = (frame + 1) + ' / ' + data.frames;
  }

  function tick(time) {
    if (shownAt === null) shownAt = time;
    const due = Math.floor((time - shownAt) * data.fps / 1000);
    if (playing && due > 0) {
      frame = (frame + due) % data.frames;
      shownAt += due * 1000 / data.fps;
      draw();
    } else if (!playing) {
      shownAt = time;
    }
    window.requestAnimationFrame(tick);
  }

  button.addEventListener('click', function () {
    playing = !playing;
    button.textContent = playing ? 'pause' : 'play';
  });
  draw();
  window.requestAnimationFrame(tick);
})();
)js";

}  // namespace

std::string clip_grid_html(const ClipGrid& grid) {
  return fmt::format(R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>skelaug: {panels} clips</title>
<style>
body {{ font-family: sans-serif; margin: 16px; color: #282828; }}
canvas {{ display: block; }}
p {{ margin: 8px 0; }}
</style>
</head>
<body>
<canvas id="clips" width="{width}" height="{height}"></canvas>
<p><button id="play" type="button">pause</button> frame <span id="frame"></span> at {fps:g} fps.
Blue: left limbs, orange: right limbs; front view, every panel at one scale.</p>
<script type="application/json" id="clip-data">{json}</script>
<script>{script}</script>
</body>
</html>
)html",
                     fmt::arg("panels", grid.panels.size()), fmt::arg("width", grid.width),
                     fmt::arg("height", grid.height), fmt::arg("fps", grid.fps),
                     fmt::arg("json", script_safe(grid_json(grid).dump())), fmt::arg("script", kPlayerScript));
}

}  // namespace skelaug::visual
