#!/bin/sh
# expect_exit.sh CODE REGEX CMD [ARGS...]
# Passes when CMD exits with CODE and its stderr is exactly one line matching REGEX
# (bad input must get one clear line, never a crash, a hang or a silent answer).
code=$1; regex=$2; shift 2
err=$(mktemp)
timeout 120 "$@" >/dev/null 2>"$err"
rc=$?
lines=$(wc -l <"$err")
msg=$(cat "$err"); rm -f "$err"
if [ "$rc" -ne "$code" ]; then
  echo "FAIL: exit $rc, expected $code: $*"; echo "stderr: $msg"; exit 1
fi
if [ "$lines" -ne 1 ]; then
  echo "FAIL: stderr has $lines lines, expected one: $*"; echo "stderr: $msg"; exit 1
fi
if ! printf '%s\n' "$msg" | grep -Eq -- "$regex"; then
  echo "FAIL: stderr does not match /$regex/: $msg"; exit 1
fi
echo "PASS: exit $rc: $msg"
