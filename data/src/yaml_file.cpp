#include "yaml_file.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "skelaug/core/error.h"

namespace skelaug::data {

std::string at_line(const std::filesystem::path& file, const YAML::Mark& mark) {
  return mark.line >= 0 ? fmt::format("{}:{}", file.string(), mark.line + 1) : file.string();
}

YAML::Node load_yaml_mapping(const std::filesystem::path& file, const char* what) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw core::UserError(fmt::format("{}: cannot open the {}", file.string(), what));
  std::ostringstream text;
  text << in.rdbuf();
  YAML::Node root;
  try {
    root = YAML::Load(text.str());
  } catch (const YAML::Exception& e) {
    throw core::UserError(fmt::format("{}: YAML syntax error: {}", at_line(file, e.mark), e.msg));
  }
  if (!root.IsMap()) {
    throw core::UserError(fmt::format("{}: the {} must be a YAML mapping", file.string(), what));
  }
  return root;
}

std::string scalar_text(const YAML::Node& node, const std::filesystem::path& file, const std::string& what) {
  if (!node.IsScalar() || node.Scalar().empty()) {
    throw core::UserError(fmt::format("{}: {} must be a name", at_line(file, node.Mark()), what));
  }
  return node.Scalar();
}

}  // namespace skelaug::data
