// Reading YAML text and key=value overrides into a Config, with errors that name the source, key and line.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <set>

#include "skelaug/core/config.h"
#include "skelaug/core/error.h"
#include "skelaug/core/text_file.h"

namespace skelaug::core {
namespace {

// What a user wrote, shortened for an error message.
std::string shown(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Null: return "nothing";
    default: {
      auto text = node.Scalar();
      if (text.size() > 40) text = text.substr(0, 37) + "...";
      return "'" + text + "'";
    }
  }
}

template <typename T>
bool convert_scalar(const YAML::Node& node, T& out) {
  if (!node.IsScalar()) return false;
  return YAML::convert<T>::decode(node, out);
}

// Strict integer reading: yaml-cpp alone would accept "1.0e0"-like text in some versions, and we reject fractions.
bool convert_int(const YAML::Node& node, std::int64_t& out) {
  if (!node.IsScalar()) return false;
  const auto& text = node.Scalar();
  std::size_t used = 0;
  try {
    out = std::stoll(text, &used, 10);
  } catch (const std::exception&) {
    return false;
  }
  return used == text.size();
}

template <typename T, typename Convert>
bool convert_list(const YAML::Node& node, std::vector<T>& out, Convert convert) {
  if (!node.IsSequence()) return false;
  out.clear();
  for (const auto& element : node) {
    T value{};
    if (!convert(element, value)) return false;
    out.push_back(std::move(value));
  }
  return true;
}

bool convert_value(const KeySpec& spec, const YAML::Node& node, ConfigValue& out) {
  switch (spec.type) {
    case ValueType::kBool: {
      bool v = false;
      return convert_scalar(node, v) && (out = v, true);
    }
    case ValueType::kInt: {
      std::int64_t v = 0;
      return convert_int(node, v) && (out = v, true);
    }
    case ValueType::kFloat: {
      double v = 0;
      return convert_scalar(node, v) && (out = v, true);
    }
    case ValueType::kString:
      if (!node.IsScalar()) return false;
      out = node.Scalar();
      return true;
    case ValueType::kIntList: {
      std::vector<std::int64_t> v;
      return convert_list(node, v, convert_int) && (out = std::move(v), true);
    }
    case ValueType::kFloatList: {
      std::vector<double> v;
      return convert_list(node, v, [](const YAML::Node& n, double& x) { return convert_scalar(n, x); }) &&
             (out = std::move(v), true);
    }
    case ValueType::kStringList: {
      std::vector<std::string> v;
      return convert_list(node, v, [](const YAML::Node& n, std::string& x) {
               return n.IsScalar() && (x = n.Scalar(), true);
             }) &&
             (out = std::move(v), true);
    }
  }
  return false;
}

// Validates one value and stores it. `where` prefixes every message ("file.yaml:3" or "override 'a=1'").
void assign(Config& config, const KeySpec& spec, const YAML::Node& node, const std::string& where) {
  ConfigValue value = spec.default_value;
  if (!convert_value(spec, node, value)) {
    throw UserError(fmt::format("{}: {}: expected {}, got {}", where, spec.path, describe(spec.type), shown(node)));
  }
  if (const auto why = spec.check_range(value); !why.empty()) {
    throw UserError(fmt::format("{}: {}: {}", where, spec.path, why));
  }
  config.set(spec.path, std::move(value), where);
}

std::string unknown_key_message(const Schema& schema, const std::string& path) {
  const auto hint = schema.closest_key(path);
  return hint.empty() ? fmt::format("unknown key '{}'", path)
                      : fmt::format("unknown key '{}' (did you mean '{}'?)", path, hint);
}

std::string at_line(const std::string& source, const YAML::Mark& mark) {
  return mark.line >= 0 ? fmt::format("{}:{}", source, mark.line + 1) : source;
}

void read_section(Config& config, const YAML::Node& map, const std::string& prefix, const std::string& source,
                  std::set<std::string>& seen) {
  for (auto it = map.begin(); it != map.end(); ++it) {
    const auto where = at_line(source, it->first.Mark());
    if (!it->first.IsScalar()) throw UserError(fmt::format("{}: keys must be plain names", where));
    const auto path = prefix + it->first.Scalar();
    if (!seen.insert(path).second) throw UserError(fmt::format("{}: key '{}' appears twice", where, path));
    if (const auto* spec = config.schema().find(path)) {
      assign(config, *spec, it->second, where);
    } else if (config.schema().is_section(path)) {
      if (it->second.IsNull()) continue;  // an empty section keeps its defaults
      if (!it->second.IsMap()) {
        throw UserError(fmt::format("{}: {}: expected a section (a mapping of keys), got {}", where, path,
                                    shown(it->second)));
      }
      read_section(config, it->second, path + ".", source, seen);
    } else {
      throw UserError(fmt::format("{}: {}", where, unknown_key_message(config.schema(), path)));
    }
  }
}

void apply_override(Config& config, const std::string& text) {
  const auto where = fmt::format("override '{}'", text);
  const auto equals = text.find('=');
  if (equals == std::string::npos || equals == 0) {
    throw UserError(fmt::format("{}: expected key.path=value", where));
  }
  const auto path = text.substr(0, equals);
  const auto* spec = config.schema().find(path);
  if (spec == nullptr && config.schema().is_section(path)) {
    throw UserError(fmt::format("{}: '{}' is a section, not a key", where, path));
  }
  if (spec == nullptr) throw UserError(fmt::format("{}: {}", where, unknown_key_message(config.schema(), path)));
  YAML::Node node;
  try {
    node = YAML::Load(text.substr(equals + 1));
  } catch (const YAML::Exception& e) {
    throw UserError(fmt::format("{}: {}: value is not valid YAML: {}", where, path, e.msg));
  }
  assign(config, *spec, node, where);
}

}  // namespace

Config parse_config(const Schema& schema, const std::string& yaml_text, const std::string& source,
                    const std::string& name, const std::vector<std::string>& overrides) {
  Config config(schema, name);
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::ParserException& e) {
    throw UserError(fmt::format("{}: YAML syntax error: {}", at_line(source, e.mark), e.msg));
  }
  if (root.IsMap()) {
    std::set<std::string> seen;
    read_section(config, root, "", source, seen);
  } else if (!root.IsNull()) {
    throw UserError(fmt::format("{}: the top level must be a mapping of sections, got {}",
                                at_line(source, root.Mark()), shown(root)));
  }
  for (const auto& text : overrides) apply_override(config, text);
  return config;
}

Config load_config(const Schema& schema, const std::filesystem::path& file,
                   const std::vector<std::string>& overrides) {
  return parse_config(schema, read_text_file(file, "config file"), file.string(), file.stem().string(), overrides);
}

}  // namespace skelaug::core
