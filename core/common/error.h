// The one exception type the core throws for bad input. Its message always names
// the file (and line or field where there is one), so the CLI can print it as is
// and exit non-zero, and the GUI can show it in a dialog.
#pragma once
#include <stdexcept>
#include <string>

namespace ps {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// "FILE:LINE: message" (line 0 means "the whole file").
std::string where(const std::string& file, long line, const std::string& message);

}  // namespace ps
