// skelaug::launcher: the `skelaug` program: the command registry, job set-up (config, MPI, run directory, logging) and
// one thin file per command.
// This header includes the library's whole public interface; include the single headers where compile time matters.
#pragma once

#include "skelaug/launcher/command_registry.h"
#include "skelaug/launcher/config_sections.h"
#include "skelaug/launcher/doctor.h"
#include "skelaug/launcher/job.h"
