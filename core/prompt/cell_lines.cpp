#include "prompt/cell_lines.h"

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace ps::prompt {

extern const char* const kCellLinesJson;  // generated from resources/prompts/cell_lines.json

CellLineText cell_line_text(const std::string& cell_line) {
  static const nlohmann::json table = nlohmann::json::parse(kCellLinesJson);
  const auto it = table.find(cell_line);
  if (it == table.end() || !it->is_object())
    throw Error("resources/prompts/cell_lines.json: no entry for cell line '" + cell_line + "'");
  CellLineText t;
  t.id = cell_line;
  t.name = it->value("name", cell_line);
  t.description = it->value("description", "");
  return t;
}

}  // namespace ps::prompt
