#!/bin/sh
# analyze_check.sh PECOS DIR CSV JQ [OPTIONS...]: runs `pecos analyze CSV OPTIONS --json --csv`
# into DIR, and passes when it exits 0, the JSON satisfies the jq expression JQ, the CSV has one
# row per layer, and the table's total line shows the JSON's total MACs.
set -e
pecos=$1; dir=$2; csv=$3; expr=$4; shift 4
# One set of files per run: several tests analyze the same CSV with other options in parallel.
name=$(basename "$csv" .csv)
tmp=$(mktemp -d "$dir/analyze_$name.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
json=$tmp/analyze_$name.json; rows=$tmp/analyze_$name.rows.csv; out=$tmp/analyze_$name.txt
rm -f "$json" "$rows" "$out"
"$pecos" analyze "$csv" "$@" --json "$json" --csv "$rows" >"$out"
if ! jq -e "$expr" "$json" >/dev/null; then
  echo "FAIL: $json does not satisfy: $expr"
  jq -c '.total' "$json"
  exit 1
fi
n=$(jq '.layers | length' "$json")
lines=$(wc -l <"$rows")
if [ "$lines" -ne $((n + 1)) ]; then echo "FAIL: $rows has $lines lines, expected $((n + 1))"; exit 1; fi
macs=$(jq '.total.macs' "$json")
if ! grep -Eq "^total +$macs " "$out"; then echo "FAIL: no 'total $macs' line in the table"; cat "$out"; exit 1; fi
tail -2 "$out"
echo "PASS: $name $*"
