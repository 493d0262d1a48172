// skelaug::core: the configuration schema and files, logging, run directories, atomic files and checksums, metrics
// records, progress lines, the timeline, seeding and stop signals; no LibTorch.
// This header includes the library's whole public interface; include the single headers where compile time matters.
#pragma once

#include "skelaug/core/atomic_file.h"
#include "skelaug/core/build_info.h"
#include "skelaug/core/config.h"
#include "skelaug/core/config_schema.h"
#include "skelaug/core/error.h"
#include "skelaug/core/file_checksum.h"
#include "skelaug/core/logging.h"
#include "skelaug/core/metrics_writer.h"
#include "skelaug/core/preemption.h"
#include "skelaug/core/progress.h"
#include "skelaug/core/run_directory.h"
#include "skelaug/core/seeding.h"
#include "skelaug/core/timeline.h"
