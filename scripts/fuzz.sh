#!/usr/bin/env bash
# Builds and runs the libFuzzer targets of fuzz/ (clang, -fsanitize=fuzzer,address,undefined).
# Not part of the default build. Each target starts from its committed seed corpus
# (fuzz/corpus/<target>, read only) plus what earlier runs found (build-fuzz/corpus/<target>).
#   scripts/fuzz.sh                      every target for 6 s (about 60 s in all: the CI run, scripts/test.sh)
#   scripts/fuzz.sh --time 3600 safetensors   one target for an hour (a long run)
#   scripts/fuzz.sh --build-only
# A finding stops its target: the input is saved under build-fuzz/artifacts/<target>/ and the
# script exits 1 after the remaining targets ran. Reproduce with build-fuzz/fuzz_<target> FILE.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${PERTURBSCOPE_FUZZ_BUILD_DIR:-$here/build-fuzz}"
seconds=6
all=(tokenizer_json tokenizer_encode safetensors config_json lora_adapter answer_parser perturbqa_csv kg_inputs
     openai_request endpoint_response)
build_only=0
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --time) seconds="$2"; shift ;;
    --build-only) build_only=1 ;;
    -h|--help) sed -n 2,10p "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) [[ " ${all[*]} " == *" $1 "* ]] || { echo "fuzz.sh: unknown target $1 (targets: ${all[*]})" >&2; exit 2; }
       targets+=("$1") ;;
  esac
  shift
done
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")

"$here/scripts/setup.sh" --no-gui --deps-only --fuzz
if [ ! -f "$build/CMakeCache.txt" ]; then
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  # Debian's clang-14 package installs clang++-14 (clang++ only comes with the unversioned "clang")
  cxx="$(command -v clang++-14 || command -v clang++)"
  CXX="$cxx" cmake -S "$here/fuzz" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
fi
ninja -C "$build" -j "${PERTURBSCOPE_JOBS:-$(nproc)}" $(printf 'fuzz_%s ' "${targets[@]}")
[ "$build_only" = 1 ] && exit 0

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=()
for t in "${targets[@]}"; do
  mkdir -p "$build/corpus/$t" "$build/artifacts/$t"
  dict=()
  [ -f "$here/fuzz/$t.dict" ] && dict=(-dict="$here/fuzz/$t.dict")
  echo "== fuzz_$t for ${seconds}s"
  if ! "$build/fuzz_$t" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=4096 -timeout=20 \
       -artifact_prefix="$build/artifacts/$t/" "${dict[@]}" "$build/corpus/$t" "$here/fuzz/corpus/$t" \
       2>"$build/$t.log"; then
    failed+=("$t")
    tail -40 "$build/$t.log" >&2
  else
    grep -E "^#[0-9]+ *DONE|Done [0-9]+ runs" "$build/$t.log" | tail -1 || true
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: findings in ${failed[*]} (inputs in $build/artifacts/)" >&2
  exit 1
fi
echo "fuzz.sh: no findings"
