#!/usr/bin/env bash
# Install duet's build/test dependencies (Debian packages) if any are missing.
#   scripts/install-deps.sh                # required packages
#   scripts/install-deps.sh --bench-peers  # also peer AD libraries (best effort)
set -euo pipefail

required=(libxtensor-dev libxtensor-blas-dev libopenblas-dev libboost-dev catch2
          libbenchmark-dev cmake ninja-build g++ clang libclang-rt-14-dev python3
          gnuplot-nox libeigen3-dev libxsimd-dev)
peers=(libadolc-dev libtrilinos-sacado-dev libceres-dev)

with_peers=0
for arg in "$@"; do
  case "$arg" in
    --bench-peers) with_peers=1 ;;
    *) echo "usage: $0 [--bench-peers]" >&2; exit 2 ;;
  esac
done

# Print the packages of "$@" that are not installed.
missing_of() {
  local p
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      echo "$p"
    fi
  done
}

# How to run apt-get: directly as root, through sudo, or not at all.
if [[ $(id -u) -eq 0 ]]; then
  apt=(env DEBIAN_FRONTEND=noninteractive apt-get)
elif command -v sudo >/dev/null 2>&1; then
  apt=(sudo env DEBIAN_FRONTEND=noninteractive apt-get)
else
  apt=()
fi

updated=0
apt_update_once() {
  if [[ $updated -eq 0 ]]; then
    "${apt[@]}" update -qq
    updated=1
  fi
}

mapfile -t missing < <(missing_of "${required[@]}")
if [[ ${#missing[@]} -gt 0 ]]; then
  if [[ ${#apt[@]} -eq 0 ]]; then
    echo "install-deps: missing packages: ${missing[*]}" >&2
    echo "install-deps: run as root: apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  apt_update_once
  "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}"
fi

if [[ $with_peers -eq 1 ]]; then
  mapfile -t missing_peers < <(missing_of "${peers[@]}")
  if [[ ${#missing_peers[@]} -gt 0 ]]; then
    if [[ ${#apt[@]} -eq 0 ]]; then
      echo "install-deps: warning: peer libraries not installed (need root): ${missing_peers[*]}" >&2
    else
      apt_update_once
      # One at a time, so that one unavailable package does not block the rest.
      for p in "${missing_peers[@]}"; do
        if ! "${apt[@]}" install -y -qq --no-install-recommends "$p"; then
          echo "install-deps: warning: could not install peer library $p" >&2
        fi
      done
    fi
  fi
fi
echo "install-deps: ok"
