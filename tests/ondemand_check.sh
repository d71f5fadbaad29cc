#!/bin/sh
# ondemand_check.sh PECOS DIR: a model that is not built is built on first use, once.
# DIR is an empty library directory (PECOS_SIM_DIR) in the build tree (a fixed path, so that
# ccache serves the rebuild next time). ws_int8_2x3 is not in any build's variant list.
pecos=$1; dir=$2
layer=conv,h=5,w=5,c=3,k=4,r=3,s=3
rm -rf "$dir" && mkdir -p "$dir" || exit 1
export PECOS_SIM_DIR="$dir"
# --no-build: today's error, exit 2, nothing built
"$pecos" run --no-build --rows 2 --cols 3 --layer $layer >/dev/null 2>"$dir/err0"; rc=$?
[ $rc -eq 2 ] && grep -q "no simulation model .*2x3" "$dir/err0" ||
  { cat "$dir/err0"; echo "FAIL: --no-build: exit $rc, expected 2 and the error"; exit 1; }
[ ! -e "$dir/libpecos_sim_ws_int8_2x3.so" ] || { echo "FAIL: --no-build built the model"; exit 1; }
# First use: one line says so, the build shows, the run passes on the new model
"$pecos" run --rows 2 --cols 3 --layer $layer >"$dir/out1" 2>"$dir/err1"; rc=$?
[ $rc -eq 0 ] || { cat "$dir/err1"; echo "FAIL: first use: exit $rc"; exit 1; }
[ "$(grep -c 'ws_int8_2x3 is not built yet: building it now' "$dir/err1")" -eq 1 ] ||
  { cat "$dir/err1"; echo "FAIL: first use: no single 'building it now' line"; exit 1; }
grep -q "Built target pecos_sim_ws_int8_2x3" "$dir/err1" || { echo "FAIL: no build progress shown"; exit 1; }
grep -q "^1 of 1 layers passed" "$dir/out1" || { cat "$dir/out1"; echo "FAIL: first use: no PASS"; exit 1; }
# Second use: cached, nothing built
"$pecos" run --rows 2 --cols 3 --layer $layer >"$dir/out2" 2>"$dir/err2"; rc=$?
[ $rc -eq 0 ] && ! grep -q "building it now" "$dir/err2" && grep -q "^1 of 1 layers passed" "$dir/out2" ||
  { cat "$dir/err2"; echo "FAIL: second use: exit $rc or built again"; exit 1; }
echo "PASS: ws_int8_2x3 built on first use, cached on the second, --no-build refuses"
