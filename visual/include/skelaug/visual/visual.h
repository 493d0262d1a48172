// skelaug::visual: pictures of runs and clips: line plots (PNG and SVG), a training run's plots, animated grids of
// clips (GIF or HTML) and the clips and captions `skelaug render` chooses.
// This header includes the library's whole public interface; include the single headers where compile time matters.
#pragma once

#include "skelaug/visual/clip_choice.h"
#include "skelaug/visual/clip_render.h"
#include "skelaug/visual/line_plot.h"
#include "skelaug/visual/pictures.h"
#include "skelaug/visual/training_metrics.h"
#include "skelaug/visual/training_plots.h"
