#!/bin/sh
# setup.sh [main|all]: installs the Debian 12 packages pecos needs; does nothing when all are
# present. Idempotent; calls apt-get only when something is missing (as root, or through sudo).
# main installs what configuring, building and the main job need (libsystemc-dev: the
# SystemC flavour of the models, sim/sc/; the build skips it when SystemC is missing);
# all (the default: scripts/test.sh) adds what the test suite runs (Icarus, Yosys, lcov, Slurm,
# headless Chromium, the fuzzers' clang, python3-onnx for generated ONNX cases, ...).
set -e
PKGS_MAIN="build-essential cmake ccache git verilator gnuplot-nox protobuf-c-compiler libprotobuf-c-dev libonnx-dev libonnx-testdata libcjson-dev libsystemc-dev"
PKGS_TEST="iverilog yosys gtkwave xvfb jq lcov clang libclang-rt-14-dev python3-onnx python3-numpy slurm-wlm chromium libxml2-utils iproute2"
case "${1:-all}" in
  main) PKGS=$PKGS_MAIN ;;
  all) PKGS="$PKGS_MAIN $PKGS_TEST" ;;
  *) echo "setup.sh: unknown set '$1' (main or all)" >&2; exit 2 ;;
esac
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
