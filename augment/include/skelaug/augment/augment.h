// skelaug::augment: the augmentation study: its config, its plan of ordinary skelaug stages, running them with resume,
// and the report (intervals over seeds, paired differences, the copying check, plots and clips).
// This header includes the library's whole public interface; include the single headers where compile time matters.
#pragma once

#include "skelaug/augment/seed_statistics.h"
#include "skelaug/augment/stage_process.h"
#include "skelaug/augment/study_config.h"
#include "skelaug/augment/study_plan.h"
#include "skelaug/augment/study_report.h"
#include "skelaug/augment/study_runner.h"
