#pragma once

#include <filesystem>

namespace skelaug::visual {

// Throws core::UserError naming `file` when its directory does not exist or cannot be written: a mistake in the
// output path is the user's to fix (exit 2), while a write failing later (a full disk) stays an I/O failure (exit 1).
void require_writable_target(const std::filesystem::path& file);

}  // namespace skelaug::visual
