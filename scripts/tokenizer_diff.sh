#!/usr/bin/env bash
# Differential fuzzing of our tokenizer against Hugging Face tokenizers (the bench's Node peer) on
# random Unicode text with the Qwen3 tokenizer fixture; fails on the first text whose ids differ and
# saves it under build/tokenizer-diff/ (failure.txt, failure.json with both id lists).
#   scripts/tokenizer_diff.sh [--seconds 300] [--seed N] [--tokenizer FILE]
# Needs npm's registry once (npm ci in bench/peers, as bench/run.sh does) and the normal build's
# bench_tokenizer_ids (built here if missing).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${PERTURBSCOPE_BUILD_DIR:-$here/build}"
fixtures="${PERTURBSCOPE_FIXTURES:-$here/../shared/data/fixtures}"
args=(--seconds 60)
tokenizer="$fixtures/qwen3-tokenizer/tokenizer.json"
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds|--seed|--batch) args+=("$1" "$2"); shift ;;
    --tokenizer) tokenizer="$2"; shift ;;
    -h|--help) sed -n 2,7p "$0"; exit 0 ;;
    *) echo "tokenizer_diff.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ -f "$tokenizer" ] || { echo "tokenizer_diff.sh: no tokenizer at $tokenizer (set PERTURBSCOPE_FIXTURES)" >&2; exit 2; }
command -v node >/dev/null && command -v npm >/dev/null || "$here/scripts/setup.sh" --deps-only --no-gui --node
if [ ! -d "$here/bench/peers/node_modules/tokenizers" ]; then
  (cd "$here/bench/peers" && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ ! -x "$build_dir/bench/bench_tokenizer_ids" ]; then
  [ -f "$build_dir/CMakeCache.txt" ] || cmake -S "$here" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build_dir" --target bench_tokenizer_ids -j "${PERTURBSCOPE_JOBS:-$(nproc)}"
fi
exec python3 "$here/scripts/tokenizer_diff.py" --tokenizer "$tokenizer" --ours "$build_dir/bench/bench_tokenizer_ids" \
  --peer "$here/bench/peers/tokenize.js" --out "$build_dir/tokenizer-diff" "${args[@]}"
