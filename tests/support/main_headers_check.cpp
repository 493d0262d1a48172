// Compiled with the tests: every library's main header stands on its own and all of them together (names that would
// clash between libraries clash here first).
#include "skelaug/augment/augment.h"
#include "skelaug/core/core.h"
#include "skelaug/data/data.h"
#include "skelaug/distributed/distributed.h"
#include "skelaug/evaluation/evaluation.h"
#include "skelaug/launcher/launcher.h"
#include "skelaug/models/models.h"
#include "skelaug/sampling/sampling.h"
#include "skelaug/training/training.h"
#include "skelaug/visual/visual.h"
