#pragma once

// One factory per recogniser architecture; make_recognizer (recognizer.cpp) dispatches on options.architecture.
// Each is defined in the architecture's own file.

#include <memory>

#include "skelaug/models/recognizer.h"

namespace skelaug::models {

std::shared_ptr<RecognizerImpl> make_stgcn_pp(const RecognizerOptions& options);  // stgcn_pp.cpp
std::shared_ptr<RecognizerImpl> make_ctrgcn(const RecognizerOptions& options);    // ctrgcn.cpp
std::shared_ptr<RecognizerImpl> make_msg3d(const RecognizerOptions& options);     // msg3d.cpp
std::shared_ptr<RecognizerImpl> make_blockgcn(const RecognizerOptions& options);  // blockgcn.cpp
std::shared_ptr<RecognizerImpl> make_a2m_gru(const RecognizerOptions& options);   // a2m_gru.cpp

}  // namespace skelaug::models
