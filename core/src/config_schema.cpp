#include "skelaug/core/config_schema.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace skelaug::core {

std::string describe(ValueType type) {
  switch (type) {
    case ValueType::kBool: return "a boolean (true/false)";
    case ValueType::kInt: return "an integer";
    case ValueType::kFloat: return "a number";
    case ValueType::kString: return "a string";
    case ValueType::kIntList: return "a list of integers";
    case ValueType::kFloatList: return "a list of numbers";
    case ValueType::kStringList: return "a list of strings";
  }
  return "a value";
}

namespace {

std::string check_number(const KeySpec& spec, double value) {
  if (!std::isfinite(value)) return fmt::format("{} is not a finite number", value);
  if (spec.min && value < *spec.min) return fmt::format("{} is below the minimum {}", value, *spec.min);
  if (spec.max && value > *spec.max) return fmt::format("{} is above the maximum {}", value, *spec.max);
  return {};
}

std::string check_choice(const KeySpec& spec, const std::string& value) {
  if (spec.choices.empty() ||
      std::find(spec.choices.begin(), spec.choices.end(), value) != spec.choices.end()) {
    return {};
  }
  return fmt::format("'{}' is not one of: {}", value, fmt::join(spec.choices, ", "));
}

template <typename T, typename Check>
std::string check_each(const std::vector<T>& values, Check check) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (auto why = check(values[i]); !why.empty()) return fmt::format("element {}: {}", i, why);
  }
  return {};
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string KeySpec::check_range(const ConfigValue& value) const {
  return std::visit(
      [this](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>) {
          return check_number(*this, static_cast<double>(v));
        } else if constexpr (std::is_same_v<T, std::string>) {
          return check_choice(*this, v);
        } else if constexpr (std::is_same_v<T, std::vector<std::int64_t>> ||
                             std::is_same_v<T, std::vector<double>>) {
          return check_each(v, [this](auto x) { return check_number(*this, static_cast<double>(x)); });
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          return check_each(v, [this](const std::string& x) { return check_choice(*this, x); });
        } else {
          return {};
        }
      },
      value);
}

Schema& Schema::add(KeySpec spec) {
  if (find(spec.path) != nullptr || is_section(spec.path)) {
    throw std::logic_error("config schema: key '" + spec.path + "' registered twice or clashes with a section");
  }
  for (std::size_t dot = spec.path.find('.'); dot != std::string::npos; dot = spec.path.find('.', dot + 1)) {
    if (find(std::string_view(spec.path).substr(0, dot)) != nullptr) {
      throw std::logic_error("config schema: key '" + spec.path + "' is nested under a leaf key");
    }
  }
  // Sections must be registered contiguously so that printing never opens the same section twice.
  for (std::size_t dot = spec.path.find('.'); dot != std::string::npos && !keys_.empty();
       dot = spec.path.find('.', dot + 1)) {
    const auto section = std::string_view(spec.path).substr(0, dot + 1);
    const bool seen = std::any_of(keys_.begin(), keys_.end(),
                                  [&](const KeySpec& k) { return k.path.compare(0, section.size(), section) == 0; });
    if (seen && keys_.back().path.compare(0, section.size(), section) != 0) {
      throw std::logic_error("config schema: key '" + spec.path + "' reopens section '" +
                             std::string(section.substr(0, dot)) + "'");
    }
  }
  if (const auto why = spec.check_range(spec.default_value); !why.empty()) {
    throw std::logic_error("config schema: default of '" + spec.path + "' is invalid: " + why);
  }
  keys_.push_back(std::move(spec));
  return *this;
}

Schema& Schema::add_bool(std::string path, bool fallback, std::string description) {
  return add({std::move(path), ValueType::kBool, fallback, {}, {}, {}, std::move(description)});
}

Schema& Schema::add_int(std::string path, std::int64_t fallback, std::int64_t min, std::int64_t max,
                        std::string description) {
  return add({std::move(path), ValueType::kInt, fallback, static_cast<double>(min), static_cast<double>(max), {},
              std::move(description)});
}

Schema& Schema::add_float(std::string path, double fallback, double min, double max, std::string description) {
  return add({std::move(path), ValueType::kFloat, fallback, min, max, {}, std::move(description)});
}

Schema& Schema::add_string(std::string path, std::string fallback, std::string description) {
  return add({std::move(path), ValueType::kString, std::move(fallback), {}, {}, {}, std::move(description)});
}

Schema& Schema::add_choice(std::string path, std::string fallback, std::vector<std::string> choices,
                           std::string description) {
  return add({std::move(path), ValueType::kString, std::move(fallback), {}, {}, std::move(choices),
              std::move(description)});
}

Schema& Schema::add_int_list(std::string path, std::vector<std::int64_t> fallback, std::int64_t min,
                             std::int64_t max, std::string description) {
  return add({std::move(path), ValueType::kIntList, std::move(fallback), static_cast<double>(min),
              static_cast<double>(max), {}, std::move(description)});
}

Schema& Schema::add_float_list(std::string path, std::vector<double> fallback, double min, double max,
                               std::string description) {
  return add({std::move(path), ValueType::kFloatList, std::move(fallback), min, max, {}, std::move(description)});
}

Schema& Schema::add_string_list(std::string path, std::vector<std::string> fallback, std::string description) {
  return add({std::move(path), ValueType::kStringList, std::move(fallback), {}, {}, {}, std::move(description)});
}

const KeySpec* Schema::find(std::string_view path) const {
  for (const auto& spec : keys_) {
    if (spec.path == path) return &spec;
  }
  return nullptr;
}

bool Schema::is_section(std::string_view path) const {
  return std::any_of(keys_.begin(), keys_.end(), [path](const KeySpec& spec) {
    return spec.path.size() > path.size() && spec.path.compare(0, path.size(), path) == 0 &&
           spec.path[path.size()] == '.';
  });
}

std::string Schema::closest_key(std::string_view path) const {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(3, path.size() / 4) + 1;
  for (const auto& spec : keys_) {
    const auto distance = edit_distance(path, spec.path);
    if (distance < best_distance) {
      best_distance = distance;
      best = spec.path;
    }
  }
  return best;
}

}  // namespace skelaug::core
