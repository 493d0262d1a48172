#pragma once

#include <filesystem>

namespace skelaug::visual {

// Makes `file`'s directory if missing; throws core::UserError naming `file` when it cannot be made or written: a
// mistake in the output path is the user's to fix (exit 2), while a write failing later (a full disk) stays an I/O
// failure (exit 1).
void require_writable_target(const std::filesystem::path& file);

}  // namespace skelaug::visual
