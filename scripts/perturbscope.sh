#!/usr/bin/env bash
# The main job on the embedded default: build, locate the data mirror, run the
# KNN-KG evaluation on K562 and print its metrics; with a display, open the GUI on it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${PERTURBSCOPE_BUILD_DIR:-$here/build}"
"$here/scripts/setup.sh" "$@"
cli="$build_dir/app/perturbscope-cli"
"$cli" data locate
"$cli" knn --cell-line k562   # defaults: fused STRING+GO+Reactome, weights chosen on validation
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x "$build_dir/app/gui/perturbscope" ]; then
  exec "$build_dir/app/gui/perturbscope"
fi
