#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace skelaug::data {

// The files an importer reads: each input is a file (taken as is) or a directory (searched recursively for files
// whose name ends with one of `extensions`, case-insensitively), sorted by path so that imports are deterministic.
// Throws core::UserError for an input that does not exist, or when nothing matches.
std::vector<std::filesystem::path> expand_inputs(const std::vector<std::string>& inputs,
                                                 const std::vector<std::string>& extensions);

}  // namespace skelaug::data
