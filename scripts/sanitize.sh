#!/usr/bin/env bash
# The sanitizer stage of the test suite (issue 15): core + CLI + the test executables of
# PERTURBSCOPE_SANITIZE_TESTS built with AddressSanitizer and UndefinedBehaviorSanitizer (gcc,
# -fsanitize=address,undefined -fno-sanitize-recover=undefined, -O1 -g1) in their own build folder
# (no GUI, no benchmarks), then ctest on them. Any ASan or UBSan report fails its test.
#   scripts/sanitize.sh                     build-asan/, the default test folders
#   PERTURBSCOPE_SANITIZE_TESTS="kg;store" scripts/sanitize.sh     other test folders (tests/<dir>)
#   scripts/sanitize.sh -R Csv              extra arguments go to ctest
# libtorch is not instrumented. Leak detection is off (libtorch's operator registries and thread
# pools live until exit); scripts/sanitizers/*.supp hold the suppressions, third-party code only.
# Default folders: the parsers, store, kg, metrics, prompt, tokenizer, serve, teach and train math
# (data data_cli common jobs kg metrics prompt safety serve store teach tokenizer train), with the CLI
# they drive (tests/safety: crash safety, full disk, read-only store, security, memory limits; its 13
# tests took 545 s of test time, 278 s of wall time at -j2, under ASan on the loaded 2-core machine,
# the 20-kill SFT/GRPO test 256 s of it; its memory-limit tests skip under ASan); left out: tests/lm and tests/ttc (transformer kernels, golden model runs, sampling: torch-heavy,
# several times slower under ASan at -O1, mostly ATen's code), the whole-SFT runs of tests/train
# (SftResume, TrainCheckpoint; PERTURBSCOPE_SANITIZE_EXCLUDE, a ctest -E regex) and tests/widgets.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${PERTURBSCOPE_ASAN_BUILD_DIR:-$here/build-asan}"
dirs="${PERTURBSCOPE_SANITIZE_TESTS:-common;data;data_cli;jobs;kg;metrics;prompt;safety;serve;store;teach;tokenizer;train}"
exclude="${PERTURBSCOPE_SANITIZE_EXCLUDE-^(SftResume|TrainCheckpoint)\.}"

"$here/scripts/setup.sh" --no-gui --deps-only
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DPERTURBSCOPE_BUILD_GUI=OFF -DPERTURBSCOPE_BUILD_BENCH=OFF -DPERTURBSCOPE_SANITIZE=address,undefined \
  -DPERTURBSCOPE_TEST_DIRS="$dirs" "${launcher[@]}" >/dev/null
start=$(date +%s)
cmake --build "$build" -j "${PERTURBSCOPE_JOBS:-$(nproc)}"
built=$(date +%s)

supp="$here/scripts/sanitizers"
# detect_leaks=0: see above. halt_on_error + exitcode=23: a report ends the process with exit code
# 23, which the CLI never uses (0 done, 1 error, 2 usage error): a CLI child that a test expects to
# fail with 1 cannot hide a report behind it (tests/sanitizer_report.h checks every child's code
# and output; ASan's and UBSan's default exit code is 1). abort_on_error=0: no core dumps.
sanitizer_exit=23
export ASAN_OPTIONS="detect_leaks=0:check_initialization_order=1:strict_string_checks=1:detect_stack_use_after_return=0:halt_on_error=1:abort_on_error=0:exitcode=$sanitizer_exit:suppressions=$supp/asan.supp${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:abort_on_error=0:exitcode=$sanitizer_exit:suppressions=$supp/ubsan.supp${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
export XDG_DATA_HOME="$scratch/data" XDG_CACHE_HOME="$scratch/cache" XDG_CONFIG_HOME="$scratch/config"
status=0
skip=()
[ -n "$exclude" ] && skip=(-E "$exclude")
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" --timeout 1800 "${skip[@]}" "$@" 2>&1 | tee "$scratch/ctest.log" ||
  status=$?
echo "sanitize.sh: build $((built - start)) s, tests $(($(date +%s) - built)) s"
# Skipped tests (GTEST_SKIP) did not pass: say so where nobody can miss it.
skipped=$(sed -n '/The following tests did not run:/,/^$/p' "$scratch/ctest.log" | grep -c 'Skipped' || true)
[ "$skipped" -gt 0 ] && echo "sanitize.sh: $skipped test(s) SKIPPED, not passed (listed under 'did not run' above)"
exit $status
