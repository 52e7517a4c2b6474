// Placeholder until its issue lands: refuses clearly instead of pretending.
#include <cstdio>

#include "cli/commands.h"

namespace ps::cli {

int cmd_kg(const Argv&) {
  std::fprintf(stderr, "perturbscope-cli kg: not built yet in this version\n");
  return 2;
}

}  // namespace ps::cli
