#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace skelaug::core {

enum class ValueType { kBool, kInt, kFloat, kString, kIntList, kFloatList, kStringList };

using ConfigValue = std::variant<bool, std::int64_t, double, std::string, std::vector<std::int64_t>,
                                 std::vector<double>, std::vector<std::string>>;

// Human name of a type, as used in error messages ("an integer", "a list of numbers", ...).
std::string describe(ValueType type);

// One leaf of the configuration tree. Ranges are inclusive and apply to each element of a list; `choices`, when not
// empty, lists the only strings allowed.
struct KeySpec {
  std::string path;  // dotted, e.g. "distributed.backend"
  ValueType type = ValueType::kString;
  ConfigValue default_value;
  std::optional<double> min;
  std::optional<double> max;
  std::vector<std::string> choices;
  std::string description;  // one line

  // Empty when `value` satisfies the type's range and choices, else the reason ("5 is above the maximum 4").
  std::string check_range(const ConfigValue& value) const;
};

// The typed schema every config is read through. Each library adds its own section in one function
// (see launcher/src/config_sections.cpp); keys keep their registration order for printing.
class Schema {
 public:
  Schema& add_bool(std::string path, bool fallback, std::string description);
  Schema& add_int(std::string path, std::int64_t fallback, std::int64_t min, std::int64_t max,
                  std::string description);
  Schema& add_float(std::string path, double fallback, double min, double max, std::string description);
  Schema& add_string(std::string path, std::string fallback, std::string description);
  Schema& add_choice(std::string path, std::string fallback, std::vector<std::string> choices,
                     std::string description);
  Schema& add_int_list(std::string path, std::vector<std::int64_t> fallback, std::int64_t min, std::int64_t max,
                       std::string description);
  Schema& add_float_list(std::string path, std::vector<double> fallback, double min, double max,
                         std::string description);
  Schema& add_string_list(std::string path, std::vector<std::string> fallback, std::string description);

  const KeySpec* find(std::string_view path) const;
  // True when `path` is a strict prefix section of at least one key ("distributed" for "distributed.backend").
  bool is_section(std::string_view path) const;
  // The known key closest to `path` by edit distance, for "did you mean" hints; empty when nothing is close.
  std::string closest_key(std::string_view path) const;
  const std::vector<KeySpec>& keys() const { return keys_; }

 private:
  Schema& add(KeySpec spec);
  std::vector<KeySpec> keys_;
};

}  // namespace skelaug::core
