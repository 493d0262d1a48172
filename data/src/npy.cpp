// The .npy array encoding (numpy's format versions 1.0 and 2.0), little-endian, C order.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "skelaug/data/npz.h"

namespace skelaug::data {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicSize = 6;

[[noreturn]] void malformed(const std::string& what) { throw std::runtime_error("malformed .npy: " + what); }

template <typename T>
NpyArray pack(char kind, std::vector<std::int64_t> shape, const std::vector<T>& values) {
  NpyArray array{kind, static_cast<int>(sizeof(T)), std::move(shape), {}};
  if (array.numel() != static_cast<std::int64_t>(values.size())) {
    throw std::logic_error(fmt::format("NpyArray: shape holds {} values, {} given", array.numel(), values.size()));
  }
  array.bytes.resize(values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(array.bytes.data(), values.data(), array.bytes.size());
  return array;
}

template <typename T>
T load(const char* bytes) {
  T value;
  std::memcpy(&value, bytes, sizeof(T));
  return value;
}

void append_utf8(std::string& out, char32_t code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

std::u32string decode_utf8(const std::string& text) {
  std::u32string codes;
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const int extra = lead < 0x80 ? 0 : (lead >> 5) == 0x6 ? 1 : (lead >> 4) == 0xE ? 2 : (lead >> 3) == 0x1E ? 3 : -1;
    if (extra < 0 || i + static_cast<std::size_t>(extra) >= text.size()) {
      throw std::invalid_argument(fmt::format("invalid UTF-8 in '{}'", text));
    }
    char32_t code = extra == 0 ? lead : lead & (0x3F >> extra);
    for (int k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
      if ((next & 0xC0) != 0x80) throw std::invalid_argument(fmt::format("invalid UTF-8 in '{}'", text));
      code = (code << 6) | (next & 0x3F);
    }
    codes += code;
    i += static_cast<std::size_t>(extra) + 1;
  }
  return codes;
}

// The value after 'key': in numpy's header dict, as raw text up to the next top-level comma or brace.
std::string header_value(const std::string& header, const std::string& key) {
  const auto at = header.find("'" + key + "'");
  if (at == std::string::npos) malformed("header has no '" + key + "'");
  auto start = header.find(':', at);
  if (start == std::string::npos) malformed("header entry '" + key + "' has no value");
  ++start;
  while (start < header.size() && header[start] == ' ') ++start;
  if (start < header.size() && header[start] == '(') {
    const auto end = header.find(')', start);
    if (end == std::string::npos) malformed("unterminated shape");
    return header.substr(start, end - start + 1);
  }
  const auto end = header.find_first_of(",}", start);
  if (end == std::string::npos) malformed("header entry '" + key + "' is unterminated");
  auto value = header.substr(start, end - start);
  while (!value.empty() && value.back() == ' ') value.pop_back();
  return value;
}

std::vector<std::int64_t> parse_shape(const std::string& text) {
  std::vector<std::int64_t> shape;
  std::size_t i = 1;  // after '('
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == ',')) ++i;
    if (i >= text.size() || text[i] == ')') break;
    std::int64_t dimension = 0;
    bool digits = false;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (dimension > (std::numeric_limits<std::int64_t>::max() - 9) / 10) malformed("shape too large");
      dimension = dimension * 10 + (text[i] - '0');
      digits = true;
      ++i;
    }
    if (!digits) malformed("shape " + text + " is not a tuple of integers");
    shape.push_back(dimension);
  }
  return shape;
}

void parse_descr(const std::string& quoted, NpyArray& array) {
  if (quoted.size() < 5 || quoted.front() != '\'' || quoted.back() != '\'') malformed("descr " + quoted);
  const std::string descr = quoted.substr(1, quoted.size() - 2);
  const char order = descr[0];
  if (order == '>') malformed("big-endian data (" + descr + ") is not supported");
  if (order != '<' && order != '|' && order != '=') malformed("descr " + descr);
  array.kind = descr[1];
  int width = 0;
  for (std::size_t i = 2; i < descr.size(); ++i) {
    if (descr[i] < '0' || descr[i] > '9' || width > 1000000) malformed("descr " + descr);
    width = width * 10 + (descr[i] - '0');
  }
  const bool ok = (array.kind == 'f' && (width == 4 || width == 8)) ||
                  (array.kind == 'i' && (width == 1 || width == 2 || width == 4 || width == 8)) ||
                  (array.kind == 'u' && width == 1) || (array.kind == 'b' && width == 1) ||
                  (array.kind == 'U' && width >= 1);
  if (!ok) malformed("unsupported dtype " + descr);
  array.itemsize = array.kind == 'U' ? 4 * width : width;
}

}  // namespace

std::int64_t NpyArray::numel() const {
  std::int64_t count = 1;
  for (const auto dimension : shape) count *= dimension;
  return count;
}

std::string NpyArray::descr() const {
  if (kind == 'U') return fmt::format("<U{}", itemsize / 4);
  if (kind == 'b' || kind == 'u') return fmt::format("|{}{}", kind, itemsize);
  return fmt::format("<{}{}", kind, itemsize);
}

NpyArray NpyArray::from_float32(std::vector<std::int64_t> shape, const std::vector<float>& values) {
  return pack('f', std::move(shape), values);
}
NpyArray NpyArray::from_float64(std::vector<std::int64_t> shape, const std::vector<double>& values) {
  return pack('f', std::move(shape), values);
}
NpyArray NpyArray::from_int64(std::vector<std::int64_t> shape, const std::vector<std::int64_t>& values) {
  return pack('i', std::move(shape), values);
}
NpyArray NpyArray::scalar_float64(double value) { return pack('f', {}, std::vector<double>{value}); }
NpyArray NpyArray::scalar_string(const std::string& utf8) { return from_strings({}, {utf8}); }

NpyArray NpyArray::from_strings(std::vector<std::int64_t> shape, const std::vector<std::string>& utf8) {
  std::vector<std::u32string> codes;
  std::size_t width = 1;
  for (const auto& text : utf8) {
    codes.push_back(decode_utf8(text));
    width = std::max(width, codes.back().size());
  }
  NpyArray array{'U', static_cast<int>(4 * width), std::move(shape), {}};
  if (array.numel() != static_cast<std::int64_t>(utf8.size())) {
    throw std::logic_error(fmt::format("NpyArray: shape holds {} strings, {} given", array.numel(), utf8.size()));
  }
  array.bytes.assign(codes.size() * 4 * width, 0);
  for (std::size_t i = 0; i < codes.size(); ++i) {
    for (std::size_t k = 0; k < codes[i].size(); ++k) {
      const auto code = static_cast<std::uint32_t>(codes[i][k]);  // little-endian hosts only (x86-64, aarch64)
      std::memcpy(array.bytes.data() + (i * width + k) * 4, &code, 4);
    }
  }
  return array;
}

std::vector<double> NpyArray::to_float64() const {
  std::vector<double> values(static_cast<std::size_t>(numel()));
  const char* data = bytes.data();
  if (kind == 'f' && itemsize == 4) {
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = load<float>(data + i * 4);
  } else if (kind == 'f' && itemsize == 8) {
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = load<double>(data + i * 8);
  } else {
    throw std::runtime_error(fmt::format("expected floating-point data, found {}", descr()));
  }
  return values;
}

std::vector<float> NpyArray::to_float32() const {
  if (kind == 'f' && itemsize == 4) {
    std::vector<float> values(static_cast<std::size_t>(numel()));
    if (!values.empty()) std::memcpy(values.data(), bytes.data(), values.size() * 4);
    return values;
  }
  const auto wide = to_float64();
  return std::vector<float>(wide.begin(), wide.end());
}

std::vector<std::int64_t> NpyArray::to_int64() const {
  std::vector<std::int64_t> values(static_cast<std::size_t>(numel()));
  const char* data = bytes.data();
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (kind == 'i' && itemsize == 8) {
      values[i] = load<std::int64_t>(data + i * 8);
    } else if (kind == 'i' && itemsize == 4) {
      values[i] = load<std::int32_t>(data + i * 4);
    } else if (kind == 'i' && itemsize == 2) {
      values[i] = load<std::int16_t>(data + i * 2);
    } else if (kind == 'i' && itemsize == 1) {
      values[i] = load<std::int8_t>(data + i);
    } else if (kind == 'u' && itemsize == 1) {
      values[i] = load<std::uint8_t>(data + i);
    } else {
      throw std::runtime_error(fmt::format("expected integer data, found {}", descr()));
    }
  }
  return values;
}

std::vector<std::string> NpyArray::to_strings() const {
  if (kind != 'U') throw std::runtime_error(fmt::format("expected strings, found {}", descr()));
  const std::size_t width = static_cast<std::size_t>(itemsize) / 4;
  std::vector<std::string> values(static_cast<std::size_t>(numel()));
  for (std::size_t i = 0; i < values.size(); ++i) {
    for (std::size_t k = 0; k < width; ++k) {
      const auto code = load<std::uint32_t>(bytes.data() + (i * width + k) * 4);
      if (code == 0) break;
      if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
        throw std::runtime_error(fmt::format("string {} holds an invalid code point {:#x}", i, code));
      }
      append_utf8(values[i], static_cast<char32_t>(code));
    }
  }
  return values;
}

std::string encode_npy(const NpyArray& array) {
  std::string shape = "(";
  for (std::size_t i = 0; i < array.shape.size(); ++i) shape += fmt::format("{}, ", array.shape[i]);
  if (array.shape.size() > 1) shape.resize(shape.size() - 2);
  if (array.shape.size() == 1) shape.pop_back();
  shape += ")";
  std::string header =
      fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}", array.descr(), shape);
  // The whole preamble (magic, version, length, header, newline) is padded to a multiple of 64 bytes.
  const bool v2 = header.size() + 1 + kMagicSize + 4 > 65535;
  const std::size_t preamble = kMagicSize + 2 + (v2 ? 4 : 2);
  header.append((64 - (preamble + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::string out(kMagic, kMagicSize);
  out += static_cast<char>(v2 ? 2 : 1);
  out += '\0';
  const auto length = static_cast<std::uint32_t>(header.size());
  out += static_cast<char>(length & 0xFF);
  out += static_cast<char>((length >> 8) & 0xFF);
  if (v2) {
    out += static_cast<char>((length >> 16) & 0xFF);
    out += static_cast<char>((length >> 24) & 0xFF);
  }
  out += header;
  out.append(array.bytes.begin(), array.bytes.end());
  return out;
}

NpyArray decode_npy(const std::string& bytes) {
  if (bytes.size() < kMagicSize + 4 || bytes.compare(0, kMagicSize, kMagic, kMagicSize) != 0) {
    malformed("not a .npy (bad magic)");
  }
  const auto major = static_cast<unsigned char>(bytes[6]);
  if (major < 1 || major > 3) malformed(fmt::format("unsupported format version {}", major));
  const auto byte = [&bytes](std::size_t i) { return static_cast<std::size_t>(static_cast<unsigned char>(bytes[i])); };
  std::size_t header_length = byte(8) | (byte(9) << 8);
  std::size_t header_start = 10;
  if (major >= 2) {
    if (bytes.size() < 12) malformed("truncated header length");
    header_length |= (byte(10) << 16) | (byte(11) << 24);
    header_start = 12;
  }
  if (header_start + header_length > bytes.size()) malformed("truncated header");
  const std::string header = bytes.substr(header_start, header_length);
  NpyArray array;
  parse_descr(header_value(header, "descr"), array);
  if (header_value(header, "fortran_order") != "False") malformed("Fortran-ordered arrays are not supported");
  array.shape = parse_shape(header_value(header, "shape"));
  const std::size_t data_start = header_start + header_length;
  const std::size_t available = bytes.size() - data_start;
  std::int64_t count = 1;
  for (const auto dimension : array.shape) {
    if (dimension != 0 && count > static_cast<std::int64_t>(available) / dimension) malformed("shape exceeds the data");
    count *= dimension;
  }
  if (static_cast<std::size_t>(count) * static_cast<std::size_t>(array.itemsize) != available) {
    malformed(fmt::format("shape needs {} bytes of {}, found {}", count * array.itemsize, array.descr(), available));
  }
  array.bytes.assign(bytes.begin() + static_cast<std::ptrdiff_t>(data_start), bytes.end());
  return array;
}

}  // namespace skelaug::data
