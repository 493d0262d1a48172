"""`skelaug render` and `skelaug plot` as a user calls them: valid GIF, MP4, HTML and PNG/SVG files, one line per bad
input."""
import glob
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from skelaug_testing import SOURCE_DIR, TempDirTest, run  # noqa: E402


class RenderAndPlot(TempDirTest):
    def setUp(self):
        super().setUp()
        self.data = os.path.join(self.tmp, "demo.npz")
        made = run(["data", "demo", "-o", self.data, "--clips-per-class", "6"])
        self.assertEqual(made.returncode, 0, made.stderr)

    def test_render_writes_an_animated_gif_and_a_page(self):
        gif = os.path.join(self.tmp, "grid.gif")
        result = run(["render", self.data, "--per-class", "1", "--size", "64", "--max-frames", "5", "-o", gif])
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(gif, "rb") as f:
            data = f.read()
        self.assertEqual(data[:6], b"GIF89a")
        self.assertIn(b"NETSCAPE2.0", data)
        page = os.path.join(self.tmp, "grid.html")
        result = run(["render", self.data, "--clips", "0,3", "-o", page])
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(page) as f:
            text = f.read()
        self.assertIn("<canvas", text)
        self.assertUserError(run(["render", self.data, "--clips", "0,99999", "-o", gif]), "--clips", "99999")
        self.assertUserError(run(["render", self.data, "--clips", "0", "-o", os.path.join(self.tmp, "x.bmp")]),
                             "x.bmp")

    def test_render_writes_an_mp4_where_built_with_video(self):
        video = os.path.join(self.tmp, "grid.mp4")
        result = run(["render", self.data, "--per-class", "2", "--size", "64", "-o", video])
        if "MP4 video: yes" not in run(["--version"]).stdout:
            self.assertNotEqual(os.environ.get("SKELAUG_EXPECT_VIDEO"), "1", "this build has no video")
            self.assertUserError(result, "grid.mp4", "built without video")
            self.assertFalse(os.path.exists(video))
            return
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, "")  # FFmpeg's own statistics stay quiet
        with open(video, "rb") as f:
            data = f.read()
        self.assertEqual(data[4:8], b"ftyp")  # an ISO base media file
        self.assertIn(b"avc1", data)  # holding H.264
        self.assertIn(b"moov", data)  # with its index: the muxer finished

    def test_plot_draws_a_runs_curves(self):
        run_dir = os.path.join(self.tmp, "run")
        trained = run(["--log-level", "warning", "train", "recognizer", "--config",
                       os.path.join(SOURCE_DIR, "configs", "demo_recognizer.yaml"), "data.train=" + self.data,
                       "run.dir=" + run_dir, "train.epochs=2", "recognizer.base_channels=8", "recognizer.stages=2",
                       "train.batch_size=8", "data.clip_length=16"])
        self.assertEqual(trained.returncode, 0, trained.stderr)
        plotted = run(["plot", run_dir])
        self.assertEqual(plotted.returncode, 0, plotted.stderr)
        pictures = sorted(os.path.basename(p) for p in glob.glob(os.path.join(run_dir, "plots", "*")))
        for stem in ("loss", "learning_rate", "accuracy"):
            self.assertIn(stem + ".png", pictures)
            self.assertIn(stem + ".svg", pictures)
            with open(os.path.join(run_dir, "plots", stem + ".png"), "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        damaged = os.path.join(self.tmp, "damaged")
        os.makedirs(damaged)
        with open(os.path.join(damaged, "metrics.jsonl"), "w") as f:
            f.write(json.dumps({"event": "train_step", "step": 1, "epoch": 0, "loss": 1.0}) + "\n{not json\n")
        self.assertUserError(run(["plot", damaged]), "metrics.jsonl:2")


if __name__ == "__main__":
    unittest.main()
