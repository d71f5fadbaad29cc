#!/bin/sh
# setup.sh: installs the Debian 12 packages pecos needs; does nothing when all are present.
# Idempotent; calls apt-get only when something is missing (as root, or through sudo).
set -e
PKGS="build-essential cmake ccache git verilator iverilog yosys gtkwave jq lcov clang libclang-rt-14-dev gnuplot-nox protobuf-c-compiler libprotobuf-c-dev libonnx-dev libonnx-testdata python3-onnx python3-numpy"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "setup: installing$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
