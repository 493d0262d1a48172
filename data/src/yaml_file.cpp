#include "yaml_file.h"

#include <fmt/format.h>


#include "skelaug/core/error.h"
#include "skelaug/core/text_file.h"

namespace skelaug::data {

std::string at_line(const std::filesystem::path& file, const YAML::Mark& mark) {
  return mark.line >= 0 ? fmt::format("{}:{}", file.string(), mark.line + 1) : file.string();
}

YAML::Node load_yaml_mapping(const std::filesystem::path& file, const char* what) {
  const auto text = core::read_text_file(file, what);
  YAML::Node root;
  try {
    root = YAML::Load(text);
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
