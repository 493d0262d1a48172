// .npz files (a zip of .npy entries) through libzip.
#include <fmt/format.h>
#include <unistd.h>
#include <zip.h>

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <memory>
#include <stdexcept>

#include "skelaug/core/atomic_file.h"
#include "skelaug/core/error.h"
#include "skelaug/data/npz.h"

namespace skelaug::data {
namespace {

// The DOS epoch: every entry gets the same time so the same arrays give the same bytes.
constexpr time_t kFixedEntryTime = 315532800;  // 1980-01-01T00:00:00Z

struct ZipCloser {
  void operator()(zip_t* archive) const { zip_discard(archive); }
};
using ZipArchive = std::unique_ptr<zip_t, ZipCloser>;

struct ZipFileCloser {
  void operator()(zip_file_t* file) const { zip_fclose(file); }
};

std::string zip_error_text(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string text = zip_error_strerror(&error);
  zip_error_fini(&error);
  return text;
}

// The most bytes one entry may inflate to: the machine's memory (a file that holds more could not be loaded anyway),
// or SKELAUG_NPZ_MAX_BYTES. A few kilobytes of deflate stream can claim terabytes: this stops a damaged or hostile
// file before it exhausts memory, with a message instead of the kernel's OOM killer.
std::uint64_t inflate_limit() {
  if (const char* value = std::getenv("SKELAUG_NPZ_MAX_BYTES"); value != nullptr && *value != '\0') {
    return std::strtoull(value, nullptr, 10);
  }
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page)
                               : std::numeric_limits<std::uint64_t>::max();
}

std::string read_entry(zip_t* archive, zip_uint64_t index, const std::string& where) {
  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_stat_index(archive, index, 0, &stat) != 0) {
    throw core::UserError(fmt::format("{}: cannot read the entry: {}", where, zip_strerror(archive)));
  }
  std::unique_ptr<zip_file_t, ZipFileCloser> file(zip_fopen_index(archive, index, 0));
  if (!file) throw core::UserError(fmt::format("{}: cannot open the entry: {}", where, zip_strerror(archive)));
  const auto limit = inflate_limit();
  if ((stat.valid & ZIP_STAT_SIZE) && stat.size > limit) {
    throw core::UserError(fmt::format("{}: the entry claims {} bytes, more than the {} one entry may hold", where,
                                      stat.size, limit));
  }
  // Read to the end rather than trusting the declared size of a possibly damaged archive, but never past the limit.
  std::string bytes;
  char chunk[1 << 16];
  for (;;) {
    const zip_int64_t got = zip_fread(file.get(), chunk, sizeof chunk);
    if (got < 0) {
      throw core::UserError(fmt::format("{}: damaged entry: {}", where, zip_file_strerror(file.get())));
    }
    if (got == 0) break;
    if (bytes.size() + static_cast<std::uint64_t>(got) > limit) {
      throw core::UserError(
          fmt::format("{}: the entry inflates to more than the {} bytes one entry may hold", where, limit));
    }
    bytes.append(chunk, static_cast<std::size_t>(got));
  }
  if ((stat.valid & ZIP_STAT_SIZE) && bytes.size() != stat.size) {
    throw core::UserError(fmt::format("{}: entry holds {} bytes, the archive says {}", where, bytes.size(), stat.size));
  }
  return bytes;
}

}  // namespace

std::map<std::string, NpyArray> read_npz(const std::filesystem::path& file) {
  int code = 0;
  ZipArchive archive(zip_open(file.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code));
  if (!archive) {
    if (code == ZIP_ER_NOENT || code == ZIP_ER_OPEN) {
      throw core::UserError(fmt::format("{}: cannot open: {}", file.string(), zip_error_text(code)));
    }
    throw core::UserError(fmt::format("{}: not a valid .npz (zip) file: {}", file.string(), zip_error_text(code)));
  }
  std::map<std::string, NpyArray> arrays;
  const zip_int64_t entries = zip_get_num_entries(archive.get(), 0);
  for (zip_int64_t i = 0; i < entries; ++i) {
    const char* raw_name = zip_get_name(archive.get(), static_cast<zip_uint64_t>(i), 0);
    std::string name = raw_name ? raw_name : "";
    const auto where = fmt::format("{}: {}", file.string(), name);
    if (name.size() < 5 || name.compare(name.size() - 4, 4, ".npy") != 0) {
      throw core::UserError(fmt::format("{}: entry is not a .npy array", where));
    }
    const auto bytes = read_entry(archive.get(), static_cast<zip_uint64_t>(i), where);
    try {
      arrays.emplace(name.substr(0, name.size() - 4), decode_npy(bytes));
    } catch (const std::exception& e) {
      throw core::UserError(fmt::format("{}: {}", where, e.what()));
    }
  }
  return arrays;
}

void write_npz(const std::filesystem::path& file, const std::vector<std::pair<std::string, NpyArray>>& arrays) {
  core::AtomicFile output(file);
  int code = 0;
  ZipArchive archive(zip_open(output.temp_path().c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code));
  if (!archive) throw core::UserError(fmt::format("{}: cannot create: {}", file.string(), zip_error_text(code)));
  // libzip reads the buffers at zip_close: they must live until then.
  std::vector<std::string> encoded;
  encoded.reserve(arrays.size());
  for (const auto& [name, array] : arrays) {
    encoded.push_back(encode_npy(array));
    zip_source_t* source = zip_source_buffer(archive.get(), encoded.back().data(), encoded.back().size(), 0);
    const zip_int64_t index =
        source ? zip_file_add(archive.get(), (name + ".npy").c_str(), source, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) : -1;
    if (index < 0) {
      if (source) zip_source_free(source);
      throw std::runtime_error(fmt::format("{}: cannot add {}: {}", file.string(), name, zip_strerror(archive.get())));
    }
    const auto entry = static_cast<zip_uint64_t>(index);
    if (zip_set_file_compression(archive.get(), entry, ZIP_CM_STORE, 0) != 0 ||
        zip_file_set_mtime(archive.get(), entry, kFixedEntryTime, 0) != 0) {
      throw std::runtime_error(fmt::format("{}: cannot add {}: {}", file.string(), name, zip_strerror(archive.get())));
    }
  }
  // A failed write (a full disk, say) is the machine's failure, exit 1, not a mistake in the input.
  if (zip_close(archive.get()) != 0) {
    throw std::runtime_error(fmt::format("{}: cannot write: {}", file.string(), zip_strerror(archive.get())));
  }
  archive.release();  // zip_close freed it
  output.commit();
}

}  // namespace skelaug::data
