#pragma once

// Small YAML files the data library reads (joint maps, label maps, topology files), with errors that name the file
// and the line.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <string>

namespace skelaug::data {

// "FILE:LINE" for a node's place in `file` (1-based), or FILE where yaml-cpp knows no line.
std::string at_line(const std::filesystem::path& file, const YAML::Mark& mark);

// The top-level mapping of `file` (core::UserError naming the file, and the line of a syntax error); `what` names the
// kind of file in messages ("joint map").
YAML::Node load_yaml_mapping(const std::filesystem::path& file, const char* what);

// A non-empty scalar's text; core::UserError "FILE:LINE: <what> must be a name" otherwise.
std::string scalar_text(const YAML::Node& node, const std::filesystem::path& file, const std::string& what);

}  // namespace skelaug::data
