// skelaug::sampling: generating clips with a trained generator: the sample section, the work items of a job and the
// sampling job.
// This header includes the library's whole public interface; include the single headers where compile time matters.
#pragma once

#include "skelaug/sampling/sample_config.h"
#include "skelaug/sampling/sampling_job.h"
#include "skelaug/sampling/work_items.h"
