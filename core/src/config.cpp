#include "skelaug/core/config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <stdexcept>

namespace skelaug::core {

Config::Config(Schema schema, std::string name) : schema_(std::move(schema)), name_(std::move(name)) {
  for (const auto& spec : schema_.keys()) values_[spec.path] = Entry{spec.default_value, "default"};
}

const Config::Entry& Config::entry(std::string_view path) const {
  const auto it = values_.find(path);
  if (it == values_.end()) throw std::logic_error(fmt::format("config key '{}' is not in the schema", path));
  return it->second;
}

template <typename T>
const T& Config::get(std::string_view path) const {
  const auto& value = entry(path).value;
  if (const auto* typed = std::get_if<T>(&value)) return *typed;
  throw std::logic_error(fmt::format("config key '{}' read with the wrong type", path));
}

template const bool& Config::get<bool>(std::string_view) const;
template const std::int64_t& Config::get<std::int64_t>(std::string_view) const;
template const double& Config::get<double>(std::string_view) const;
template const std::string& Config::get<std::string>(std::string_view) const;
template const std::vector<std::int64_t>& Config::get<std::vector<std::int64_t>>(std::string_view) const;
template const std::vector<double>& Config::get<std::vector<double>>(std::string_view) const;
template const std::vector<std::string>& Config::get<std::vector<std::string>>(std::string_view) const;

const std::string& Config::origin(std::string_view path) const { return entry(path).origin; }

void Config::set(const std::string& path, ConfigValue value, std::string origin) {
  const auto it = values_.find(path);
  if (it == values_.end() || it->second.value.index() != value.index()) {
    throw std::logic_error(fmt::format("config key '{}' is not in the schema or set with the wrong type", path));
  }
  it->second = Entry{std::move(value), std::move(origin)};
}

namespace {

// Shortest text that reads back to the same double.
std::string format_number(double value) {
  auto text = fmt::format("{}", value);
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
  return text;
}

void emit_value(YAML::Emitter& out, const ConfigValue& value) {
  std::visit(
      [&out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) {
          out << (v ? "true" : "false");
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          out << v;
        } else if constexpr (std::is_same_v<T, double>) {
          out << format_number(v);
        } else if constexpr (std::is_same_v<T, std::string>) {
          out << YAML::DoubleQuoted << v;
        } else {
          out << YAML::Flow << YAML::BeginSeq;
          for (const auto& element : v) {
            if constexpr (std::is_same_v<std::decay_t<decltype(element)>, double>) {
              out << format_number(element);
            } else if constexpr (std::is_same_v<std::decay_t<decltype(element)>, std::string>) {
              out << YAML::DoubleQuoted << element;
            } else {
              out << element;
            }
          }
          out << YAML::EndSeq;
        }
      },
      value);
}

}  // namespace

std::string Config::to_yaml(bool comments) const {
  YAML::Emitter out;
  out << YAML::BeginMap;
  std::vector<std::string> open;  // the sections currently open, outermost first
  for (const auto& spec : schema_.keys()) {
    std::vector<std::string> parts;
    for (std::size_t start = 0;;) {
      const auto dot = spec.path.find('.', start);
      parts.push_back(spec.path.substr(start, dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    const std::vector<std::string> sections(parts.begin(), parts.end() - 1);
    std::size_t common = 0;
    while (common < open.size() && common < sections.size() && open[common] == sections[common]) ++common;
    for (; open.size() > common; open.pop_back()) out << YAML::EndMap;
    for (; open.size() < sections.size(); open.push_back(sections[open.size()])) {
      out << YAML::Key << sections[open.size()] << YAML::Value << YAML::BeginMap;
    }
    out << YAML::Key << parts.back() << YAML::Value;
    emit_value(out, entry(spec.path).value);
    if (comments && !spec.description.empty()) out << YAML::Comment(spec.description);
  }
  for (; !open.empty(); open.pop_back()) out << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::vector<std::string> Config::differing_keys(const Config& other) const {
  std::vector<std::string> keys;
  for (const auto& spec : schema_.keys()) {
    const auto theirs = other.values_.find(spec.path);
    if (theirs == other.values_.end() || !(theirs->second == values_.at(spec.path))) keys.push_back(spec.path);
  }
  return keys;
}

}  // namespace skelaug::core
