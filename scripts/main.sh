#!/bin/sh
# main.sh: the main job. Builds, then runs LeNet-5's conv and FC layers on the default
# 16x16 weight-stationary int8 array (deterministic data, seed 1), checks every layer
# (bit-exact against the golden conv, cycles equal to the analytical model) and writes the
# report to build/release/reports/lenet5.json.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/build.sh" release
out=$top/build/release/reports
mkdir -p "$out"
"$top/build/release/pecos" run --rows 16 --cols 16 --seed 1 \
  --layer conv,h=32,w=32,c=1,k=6,r=5,s=5,name=conv1 \
  --layer conv,h=14,w=14,c=6,k=16,r=5,s=5,name=conv2 \
  --layer fc,c=400,k=120,name=fc1 \
  --layer fc,c=120,k=84,name=fc2 \
  --layer fc,c=84,k=10,name=fc3 \
  --json "$out/lenet5.json"
echo "report: $out/lenet5.json"
