#!/bin/sh
# with_rc.sh CMD ARGS...: runs CMD, then prints "rc=N" (its exit status) as the last line and
# exits 0. For tests whose verdict is a PASS_REGULAR_EXPRESSION: that property replaces the
# exit status, so the regular expression must end in "rc=0" (or the status it expects) for a
# crash or a failing exit after the matched lines to fail the test.
"$@"
echo "rc=$?"
