#pragma once

#include <filesystem>

namespace skelaug::core {

// Makes the folder `file` will be written in, if missing, as every skelaug output does (`-o runs/demo.npz` in a fresh
// clone). Throws UserError naming `file` and the folder when it cannot be made (a path under a plain file, no
// permission): a mistake in the output path is the user's to fix (exit 2). Returns the folder ("." for a bare name).
std::filesystem::path make_output_folder(const std::filesystem::path& file);

}  // namespace skelaug::core
