#!/bin/sh
# regress_html.sh REPORT_DIR OUT: opens REPORT_DIR/report.html in Debian's chromium (headless)
# and checks the page as the browser parsed it: it loads, the pass/fail matrix has one cell
# per job of report.json, the failing jobs' cells are marked, each failure has its section
# with a re-run command. Also takes a screenshot (OUT/report.png) for a human to look at.
rdir=$1; out=$2
fail() { echo "FAIL: $*"; exit 1; }
command -v chromium >/dev/null 2>&1 || fail "chromium is missing: run scripts/setup.sh"
[ -s "$rdir/report.html" ] && [ -s "$rdir/report.json" ] || fail "no report in $rdir (the regress.local_small fixture)"
mkdir -p "$out" || exit 1
prof=$(mktemp -d "$out/chromium-profile.XXXXXX") || exit 1
trap 'rm -rf "$prof"' EXIT
flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync --user-data-dir=$prof"
url="file://$(cd "$rdir" && pwd)/report.html"
# shellcheck disable=SC2086
timeout 120 chromium $flags --dump-dom "$url" >"$out/dom.html" 2>"$out/chromium.err" \
  || { tail -5 "$out/chromium.err"; fail "chromium --dump-dom failed or timed out"; }
n=$(jq .jobs_total "$rdir/report.json")
nf=$(jq '[.jobs[] | select(.status == "fail")] | length' "$rdir/report.json")
ne=$(jq '[.jobs[] | select(.status == "error")] | length' "$rdir/report.json")
grep -q '<table id="matrix">' "$out/dom.html" || fail "the page has no matrix (did it load?)"
cells=$(grep -o '<td class="job [a-z]*"' "$out/dom.html" | wc -l)
[ "$cells" -eq "$n" ] || fail "the matrix has $cells job cells, report.json has $n jobs"
[ "$(grep -o '<td class="job fail"' "$out/dom.html" | wc -l)" -eq "$nf" ] || fail "not $nf cells marked fail"
[ "$(grep -o '<td class="job error"' "$out/dom.html" | wc -l)" -eq "$ne" ] || fail "not $ne cells marked error"
[ "$(grep -o '<div class="failure ' "$out/dom.html" | wc -l)" -eq $((nf + ne)) ] || fail "not one failure section per failed job"
for id in $(jq -r '.jobs[] | select(.status != "pass") | .id' "$rdir/report.json"); do
  grep -q "title=\"$id\"><a href=\"#job-$id\">FAIL\|title=\"$id\"><a href=\"#job-$id\">ERROR" "$out/dom.html" || fail "$id's cell is not marked"
  grep -q "id=\"fail-$id\"" "$out/dom.html" || fail "no failure section for $id"
done
grep -q 'Re-run:' "$out/dom.html" || [ $((nf + ne)) -eq 0 ] || fail "no re-run command on the page"
# shellcheck disable=SC2086
timeout 120 chromium $flags --hide-scrollbars --window-size=1280,1000 --screenshot="$out/report.png" "$url" \
  >/dev/null 2>>"$out/chromium.err" || fail "chromium --screenshot failed"
[ -s "$out/report.png" ] || fail "no screenshot"
echo "PASS: chromium loaded the page; $cells job cells ($nf fail, $ne error) marked; screenshot $out/report.png"
