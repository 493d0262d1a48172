#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "skelaug/core/config_schema.h"

namespace skelaug::core {

// A fully resolved configuration: every key of its schema has a value (from the file, an override, or the default)
// that has already passed type and range checks. Reading a key that the schema lacks, or with the wrong type, is a
// programming error and throws std::logic_error.
class Config {
 public:
  Config(Schema schema, std::string name);

  bool get_bool(std::string_view path) const { return get<bool>(path); }
  std::int64_t get_int(std::string_view path) const { return get<std::int64_t>(path); }
  double get_float(std::string_view path) const { return get<double>(path); }
  const std::string& get_string(std::string_view path) const { return get<std::string>(path); }
  const std::vector<std::int64_t>& get_int_list(std::string_view path) const {
    return get<std::vector<std::int64_t>>(path);
  }
  const std::vector<double>& get_float_list(std::string_view path) const { return get<std::vector<double>>(path); }
  const std::vector<std::string>& get_string_list(std::string_view path) const {
    return get<std::vector<std::string>>(path);
  }

  // Where a key's value came from: "file.yaml:12", "override 'a.b=3'" or "default".
  const std::string& origin(std::string_view path) const;
  // The config's name: the file's stem ("demo" for configs/demo.yaml); names the run directory.
  const std::string& name() const { return name_; }
  const Schema& schema() const { return schema_; }

  // Stores an already validated value; used by the loader.
  void set(const std::string& path, ConfigValue value, std::string origin);

  // The whole resolved tree as YAML, sections nested, in schema order; with `comments`, each key carries its
  // description. Loading the output again gives an equal Config.
  std::string to_yaml(bool comments) const;

  bool operator==(const Config& other) const { return values_ == other.values_; }
  // The keys whose values differ from `other`'s (same schema), in schema order.
  std::vector<std::string> differing_keys(const Config& other) const;

 private:
  template <typename T>
  const T& get(std::string_view path) const;

  struct Entry {
    ConfigValue value;
    std::string origin;
    bool operator==(const Entry& other) const { return value == other.value; }
  };

  const Entry& entry(std::string_view path) const;

  Schema schema_;
  std::string name_;
  std::map<std::string, Entry, std::less<>> values_;
};

// Reads `file` through `schema`, then applies `overrides` ("key.path=value", value in YAML syntax) in order.
// Throws UserError naming the file (or override), the key path and the line for: a missing or unreadable file,
// YAML syntax, an unknown key, a wrong type, an out-of-range value or a malformed override.
Config load_config(const Schema& schema, const std::filesystem::path& file,
                   const std::vector<std::string>& overrides = {});

// The same from text already in memory; `source` names it in errors, `name` is the config's name.
Config parse_config(const Schema& schema, const std::string& yaml_text, const std::string& source,
                    const std::string& name, const std::vector<std::string>& overrides = {});

}  // namespace skelaug::core
