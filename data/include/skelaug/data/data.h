// skelaug::data: skeleton topologies, the dataset file (.npz), importers of the field's formats (with their pickle
// readers), the PYSKL exporter, the demo dataset, transforms, the sharded loader and copies to the device.
// This header includes the library's whole public interface; include the single headers where compile time matters.
#pragma once

#include "skelaug/data/bvh_import.h"
#include "skelaug/data/bvh_kinematics.h"
#include "skelaug/data/bvh_parser.h"
#include "skelaug/data/data_config.h"
#include "skelaug/data/dataset_io.h"
#include "skelaug/data/demo_dataset.h"
#include "skelaug/data/device_copy.h"
#include "skelaug/data/distributed_sampler.h"
#include "skelaug/data/frame_limits.h"
#include "skelaug/data/hml263_features.h"
#include "skelaug/data/input_files.h"
#include "skelaug/data/npz.h"
#include "skelaug/data/ntu_import.h"
#include "skelaug/data/ntu_skeleton.h"
#include "skelaug/data/pickle_imports.h"
#include "skelaug/data/pyskl_export.h"
#include "skelaug/data/skeleton_dataset.h"
#include "skelaug/data/skeleton_loader.h"
#include "skelaug/data/topology.h"
#include "skelaug/data/transforms.h"
