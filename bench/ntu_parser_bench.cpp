// Throughput of the NTU RGB+D .skeleton parser on one core: a synthetic recording in the real layout (CRLF ends,
// seven significant digits, two bodies, leading and trailing frames without bodies), parsed from memory again and
// again. Usage: bench_ntu_parser [MEGABYTES (default 16)] [SECONDS (default 3)]
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "skelaug/data/ntu_skeleton.h"

namespace {

// About `megabytes` of .skeleton text; the values wander like a person's joints do.
std::string synthetic_recording(double megabytes) {
  std::mt19937 random(7);
  std::normal_distribution<float> jitter(0.0f, 0.01f);
  const auto body_bytes = 27 * 110;  // info + count + 25 joint lines, roughly
  const int frames = std::max(4, static_cast<int>(megabytes * 1e6 / (2.0 * body_bytes)));
  std::string body_text;
  std::string text = fmt::format("{}\r\n", frames);
  for (int f = 0; f < frames; ++f) {
    const bool empty = f < 2 || f >= frames - 2;  // Kinect finds nobody at the ends of many recordings
    text += empty ? "0\r\n" : "2\r\n";
    if (empty) continue;
    for (int b = 0; b < 2; ++b) {
      text += fmt::format("7205759403793{} 0 1 1 1 1 0 {:.7} {:.7} 2\r\n25\r\n", 1101 + b, -0.4372660f + jitter(random),
                          0.1886254f + jitter(random));
      for (int j = 0; j < 25; ++j) {
        const float t = static_cast<float>(f) / 30.0f;
        const float x = 0.2183249f + 0.3f * b + 0.05f * j * std::sin(t + j) + jitter(random);
        const float y = 0.1726398f - 0.04f * j + 0.02f * std::cos(t * 2 + j) + jitter(random);
        const float z = 3.785445f + 0.01f * j + jitter(random);
        text += fmt::format("{:.7} {:.7} {:.7} {:.7} {:.7} {:.7} {:.7} {:.7} {:.7} {:.7} {:.7} 2\r\n", x, y, z,
                            277.6109f + 60 * x, 191.4934f - 60 * y, 1032.123f + 200 * x, 541.8792f - 200 * y,
                            -0.2380335f + jitter(random), 0.0432883f + jitter(random), 0.9656286f + jitter(random),
                            -0.0966667f + jitter(random));
      }
    }
  }
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  const double megabytes = argc > 1 ? std::atof(argv[1]) : 16;
  const double seconds = argc > 2 ? std::atof(argv[2]) : 3;
  const std::string text = synthetic_recording(megabytes);
  const double mb = static_cast<double>(text.size()) / 1e6;

  std::vector<double> rates;
  std::int64_t checksum = 0;  // keeps the work observable
  const auto start = std::chrono::steady_clock::now();
  do {
    const auto begin = std::chrono::steady_clock::now();
    const auto recording = skelaug::data::parse_ntu_skeleton(text, "synthetic.skeleton");
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    rates.push_back(mb / elapsed);
    for (const auto& body : recording.bodies) checksum += body.num_frames();
  } while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < seconds ||
           rates.size() < 3);

  std::sort(rates.begin(), rates.end());
  std::printf(
      "bench_ntu_parser: %.1f MB recording, %zu parses (%lld body-frames): median %.0f MB/s, best %.0f MB/s "
      "(one core)\n",
      mb, rates.size(), static_cast<long long>(checksum), rates[rates.size() / 2], rates.back());
  return 0;
}
