#!/bin/sh
# layering_check.sh SRC_DIR BUILD_DIR: the host's folders are layered (docs/ARCHITECTURE.md,
# "Layers"); the build enforces it by giving each library the include paths of the folders
# below it only. This test shows it holds: for each folder it compiles, with that folder's
# own compile flags (compile_commands.json), one probe that includes a header of a folder it
# may use (must compile) and one of each folder above it (must not). It also refuses an
# #include that names a path ("../run/x.h" would bypass the include paths).
set -u
src=$(cd "$1" && pwd); build=$2
cc=${CC:-cc}
db=$build/compile_commands.json
[ -f "$db" ] || { echo "layering_check: $db not found"; exit 2; }
fail=0
# folder, a file in it, a header below it (allowed), headers above it (forbidden)
check() {
  dir=$1 allowed=$2; shift 2
  # the compile command of the first source of the folder, reduced to its -I/-D/-std flags
  flags=$(python3 - "$db" "$src/$dir" <<'PY'
import json, shlex, sys
db, d = sys.argv[1], sys.argv[2]
for e in json.load(open(db)):
    if e['file'].startswith(d + '/') and e['file'].endswith('.c'):
        a = shlex.split(e['command']) if 'command' in e else e['arguments']
        print(' '.join(shlex.quote(x) for x in a if x.startswith(('-I', '-D', '-std', '-isystem')))); break
PY
)
  [ -n "$flags" ] || { echo "FAIL $dir: no compile command"; fail=1; return; }
  probe=$(mktemp -d)
  printf '#include "%s"\n' "$allowed" >"$probe/ok.c"
  if ! eval "$cc -fsyntax-only $flags $probe/ok.c" 2>"$probe/err"; then
    echo "FAIL $dir: cannot include $allowed, which it may use:"; cat "$probe/err"; fail=1
  fi
  for h in "$@"; do
    printf '#include "%s"\n' "$h" >"$probe/up.c"
    if eval "$cc -fsyntax-only $flags $probe/up.c" 2>"$probe/err"; then
      echo "FAIL $dir: includes $h, a header of a higher folder, and it compiles"; fail=1
    elif grep -q "$h: No such file" "$probe/err"; then
      echo "ok   $dir: #include \"$h\" does not compile (not on its include path)"
    else
      echo "FAIL $dir: #include \"$h\" fails for another reason:"; cat "$probe/err"; fail=1
    fi
  done
  rm -rf "$probe"
}
check common    pecos_err.h     layer.h golden_conv.h dma.h simlib.h layer_run.h report.h net_run.h onnx_run.h regress.h cmd_run.h
check models    pecos_types.h   dma.h simlib.h layer_run.h report.h net_run.h onnx_run.h cmd_run.h
check host/dev  pecos_err.h     golden_conv.h dma.h layer_run.h report.h net_run.h cmd_run.h
check host/mem  mem_model.h     simlib.h layer_run.h report.h net_run.h onnx_run.h cmd_run.h
check host/run  dma.h           report.h net_run.h onnx_run.h regress.h cmd_run.h
check host/report layer_run.h   net_run.h onnx_run.h regress.h cmd_run.h
check host/net  report.h        onnx_run.h regress.h cmd_run.h
check host/onnx report.h        net_run.h regress.h cmd_run.h
check host/regress pecos_err.h  layer_run.h report.h net_run.h cmd_run.h
# no include names a path
bad=$(grep -rnE '#include "[^"]*/' "$src/common" "$src/models" "$src/host" --include='*.[ch]' | grep -v 'onnx.pb-c.h')
if [ -n "$bad" ]; then echo "FAIL: an #include names a path:"; echo "$bad"; fail=1; fi
[ $fail -eq 0 ] && echo "layering_check: every folder sees only the folders below it"
exit $fail
