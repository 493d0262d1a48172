#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace skelaug::data {

// One array of a .npy/.npz file, little-endian, C order. Kinds follow numpy's dtype descr: 'f' (float32/64),
// 'i' (int32/64), 'u' (uint8), 'b' (bool), 'U' (fixed-width UTF-32 strings, itemsize = 4 x width).
struct NpyArray {
  char kind = 'f';
  int itemsize = 4;
  std::vector<std::int64_t> shape;  // empty: a 0-d array (a scalar)
  std::vector<char> bytes;

  std::int64_t numel() const;
  std::string descr() const;  // "<f4", "<i8", "<U12", "|b1", "|u1"

  static NpyArray from_float32(std::vector<std::int64_t> shape, const std::vector<float>& values);
  static NpyArray from_float64(std::vector<std::int64_t> shape, const std::vector<double>& values);
  static NpyArray from_int64(std::vector<std::int64_t> shape, const std::vector<std::int64_t>& values);
  static NpyArray from_strings(std::vector<std::int64_t> shape, const std::vector<std::string>& utf8);
  static NpyArray scalar_float64(double value);
  static NpyArray scalar_string(const std::string& utf8);

  // Typed views; each throws std::runtime_error naming the kind it found. Integer readers accept int32/int64/uint8,
  // float readers float32/float64 (converted).
  std::vector<float> to_float32() const;
  std::vector<double> to_float64() const;
  std::vector<std::int64_t> to_int64() const;
  std::vector<std::string> to_strings() const;  // UTF-8
};

// The .npy encoding of one array (format version 1.0, or 2.0 when the header needs it).
std::string encode_npy(const NpyArray& array);
// Parses .npy bytes; throws std::runtime_error describing what is malformed (bad magic, header, dtype, size).
NpyArray decode_npy(const std::string& bytes);

// Reads every array of an .npz; throws core::UserError "<file>: <entry>: <problem>" for anything unreadable.
std::map<std::string, NpyArray> read_npz(const std::filesystem::path& file);
// Writes arrays (names without ".npy") as an uncompressed .npz numpy.load reads; atomically (temporary + rename) and
// byte-for-byte deterministic (fixed entry times).
void write_npz(const std::filesystem::path& file, const std::vector<std::pair<std::string, NpyArray>>& arrays);

}  // namespace skelaug::data
