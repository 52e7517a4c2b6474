// perturbscope-cli report | export-figure: forwarded to the Qt build (cmd_figures.cpp).
// Declared apart from commands.h so that adding them rebuilt no other command.
#pragma once
#include "cli/commands.h"

namespace ps::cli {

int cmd_report(const Argv& args);         // report --run ID ...: runs `perturbscope report ...`
int cmd_export_figure(const Argv& args);  // export-figure --run ID --kind K ...: runs `perturbscope export-figure ...`

}  // namespace ps::cli
