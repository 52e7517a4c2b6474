#!/usr/bin/env bash
# The whole test suite: installs and builds what is missing, then runs ctest; then the extra
# stages of issue 15 (PERTURBSCOPE_TEST_EXTRA=0 skips them; on by default, so .ci/run runs them):
#   scripts/fuzz.sh       every libFuzzer target of fuzz/ for a few seconds (about 60 s in all)
#   scripts/sanitize.sh   core + CLI + tests built with ASan + UBSan (build-asan/), ctest on them
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${PERTURBSCOPE_BUILD_DIR:-$here/build}"
"$here/scripts/setup.sh" "$@"
# Tests write their stores and caches into a scratch folder, never the user's.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
export XDG_DATA_HOME="$scratch/data" XDG_CACHE_HOME="$scratch/cache" XDG_CONFIG_HOME="$scratch/config"
export QT_QPA_PLATFORM=offscreen
(cd "$build_dir" && ctest --output-on-failure -j "$(nproc)" --timeout 900)
if [ "${PERTURBSCOPE_TEST_EXTRA:-1}" != 0 ]; then
  t0=$(date +%s)
  "$here/scripts/fuzz.sh"
  t1=$(date +%s)
  "$here/scripts/sanitize.sh"
  echo "test.sh: extra stages: fuzzing $((t1 - t0)) s, sanitizers $(($(date +%s) - t1)) s"
fi
