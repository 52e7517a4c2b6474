// Cell-line names and one-line descriptions for prompts, from resources/prompts/cell_lines.json
// (embedded at build time, so the text stays editable in resources/ and needs no run-time lookup).
#pragma once
#include <string>

namespace ps::prompt {

struct CellLineText {
  std::string id;           // "k562"
  std::string name;         // "K562"
  std::string description;  // one line
};

// Throws ps::Error naming the cell line (and the resource file) when it has no entry.
CellLineText cell_line_text(const std::string& cell_line);

}  // namespace ps::prompt
