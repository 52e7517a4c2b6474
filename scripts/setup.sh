#!/usr/bin/env bash
# Installs what PerturbScope needs from Debian's packages (only what is missing),
# then configures and builds it. Safe to run again: it does only what is left.
#   scripts/setup.sh [--no-gui] [--build-dir DIR] [--deps-only] [--fuzz] [--node]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${PERTURBSCOPE_BUILD_DIR:-$here/build}"
gui=ON
deps_only=0
fuzz=0
node=0
while [ $# -gt 0 ]; do
  case "$1" in
    --no-gui) gui=OFF ;;
    --build-dir) build_dir="$2"; shift ;;
    --deps-only) deps_only=1 ;;   # install the packages, do not build (bench/run.sh)
    --fuzz) fuzz=1 ;;             # also clang and libFuzzer (scripts/fuzz.sh)
    --node) node=1 ;;             # also python3, nodejs and npm (scripts/tokenizer_diff.sh)
    *) echo "setup.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

packages=(
  build-essential cmake ninja-build git pkg-config ca-certificates curl   # curl: `data fetch`
  libtorch-dev libopenblas0-pthread        # without OpenBLAS libtorch falls back to the reference BLAS (~30x slower)
  nlohmann-json3-dev libsqlite3-dev libicu-dev   # ICU: NFC and Unicode classes for the tokenizer
  libgtest-dev libgmock-dev libbenchmark-dev
  libcpp-httplib-dev                       # `serve` and the endpoint teacher's HTTP client
  libxgboost-dev                           # KNN-KG's gbdt combiner (kg/gbdt.h)
)
if [ "$gui" = ON ]; then
  packages+=(qt6-base-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-svg-dev
             libqcustomplot-dev libgl-dev xvfb xauth fonts-dejavu-core
             qt6-pdf-dev                     # tests: rasterise exported PDF figures (QPdfDocument)
             desktop-file-utils appstream)   # validate the .desktop and metainfo files (tests)
fi

if [ "$fuzz" = 1 ]; then
  # libclang-rt-14-dev: the ASan/UBSan/libFuzzer runtimes (only "recommended" by clang-14, so
  # --no-install-recommends would leave -fsanitize=fuzzer,address without them)
  packages+=(clang-14 libclang-rt-14-dev libfuzzer-14-dev)
fi

if [ "$node" = 1 ]; then
  packages+=(python3)
  # Debian's nodejs + npm, unless a node with npm is already there (e.g. NodeSource's)
  command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo=sudo
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[ "$deps_only" = 1 ] && exit 0

# A CUDA libtorch can be used instead of Debian's by exporting Torch_DIR.
extra=()
[ -n "${Torch_DIR:-}" ] && extra+=("-DTorch_DIR=$Torch_DIR")
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S "$here" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DPERTURBSCOPE_BUILD_GUI="$gui" "${extra[@]}" >/dev/null
fi
jobs="${PERTURBSCOPE_JOBS:-$(nproc)}"
cmake --build "$build_dir" -j "$jobs"
