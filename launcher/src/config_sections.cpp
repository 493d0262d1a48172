#include "skelaug/launcher/config_sections.h"

#include "skelaug/augment/study_config.h"
#include "skelaug/core/run_directory.h"
#include "skelaug/data/data_config.h"
#include "skelaug/distributed/backend.h"
#include "skelaug/evaluation/evaluation_config.h"
#include "skelaug/launcher/doctor.h"
#include "skelaug/models/generator_config.h"
#include "skelaug/models/recognizer_config.h"
#include "skelaug/sampling/sample_config.h"
#include "skelaug/training/training_config.h"

namespace skelaug::launcher {

const core::Schema& full_schema() {
  static const core::Schema schema = [] {
    core::Schema built;
    core::add_run_config_keys(built);
    distributed::add_distributed_config_keys(built);
    data::add_data_config_keys(built);
    training::add_training_config_keys(built);
    models::add_generator_config_keys(built);
    sampling::add_sample_config_keys(built);
    models::add_recognizer_config_keys(built);
    evaluation::add_evaluate_config_keys(built);
    add_doctor_config_keys(built);
    augment::add_augment_config_keys(built);
    return built;
  }();
  return schema;
}

}  // namespace skelaug::launcher
