#!/usr/bin/env bash
# The main job on the embedded default: build, locate the data mirror, run the KNN-KG
# evaluation on K562, then the training pipeline (evidence-teacher traces -> SFT of a tiny
# Qwen3 from scratch -> RLCR- and RLVR-GRPO -> evaluation on identical held-out items) with live
# progress, and print the comparison table; with a display, open the GUI on the results.
#   scripts/perturbscope.sh [--no-gui] [--knn-only] [--config FILE]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${PERTURBSCOPE_BUILD_DIR:-$here/build}"
config="$here/configs/demo.json"
setup_args=()
knn_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --knn-only) knn_only=1 ;;
    --config) config="$2"; shift ;;
    *) setup_args+=("$1") ;;
  esac
  shift
done
"$here/scripts/setup.sh" "${setup_args[@]}"
cli="$build_dir/app/perturbscope-cli"
"$cli" data locate
"$cli" knn --cell-line k562   # defaults: fused STRING+GO+Reactome, weights chosen on validation
if [ "$knn_only" = 0 ]; then
  echo
  echo "Training pipeline ($config): SFT -> RLCR-GRPO -> RLVR-GRPO, about 15 minutes on 2 cores"
  "$cli" pipeline --config "$config"
fi
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x "$build_dir/app/gui/perturbscope" ]; then
  exec "$build_dir/app/gui/perturbscope"
fi
