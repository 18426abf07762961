#!/usr/bin/env bash
# Builds the ITK C++ reference into algorithm/reference/build/itk-otsu (gitignored).
# Needs cmake, g++ and Debian's libinsighttoolkit5-dev (ITK 5.2.1) + libgdcm-dev; installs them with apt when
# missing and INSTALL_DEPS=1. Prints the binary path.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if ! dpkg -s libinsighttoolkit5-dev >/dev/null 2>&1 || ! command -v cmake >/dev/null; then
  if [ "${INSTALL_DEPS:-0}" = 1 ]; then
    flock /tmp/kx-apt.lock apt-get install -y --no-install-recommends cmake g++ make libinsighttoolkit5-dev libgdcm-dev >&2
  else
    echo "build.sh: ITK 5.2 (libinsighttoolkit5-dev) or cmake missing; rerun with INSTALL_DEPS=1" >&2
    exit 3
  fi
fi
mkdir -p "$here/build"
cd "$here/build"
# Release flags without -march=native: the default x86-64 target has no FMA, so double arithmetic is plain IEEE.
cmake -DCMAKE_BUILD_TYPE=Release .. >&2
cmake --build . -j 2 >&2
echo "$here/build/itk-otsu"
