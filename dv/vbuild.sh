#!/bin/sh
# vbuild.sh RTL_DIR OUT_DIR VARIANT [VERILATOR_ARGS...]: verilates one model library from
# RTL_DIR into OUT_DIR, outside CMake, for the mutation and coverage scripts:
#   VARIANT ws_int8_4x4 (any DATAFLOW_DTYPE_ROWSxCOLS) -> OUT_DIR/libpecos_sim_VARIANT.so
#   VARIANT post_L4 (any lane count)                  -> OUT_DIR/libpecos_post_L4.so
#   VARIANT fma_bf16, fma_fp16, fma_bf16_ftz, fma_fp16_ftz (the FMA unit alone)
#                                                     -> OUT_DIR/test_fma_NAME, the suite's
#                                                        unit.fma.* program (tests/test_fma.c)
# The libraries implement sim/vsim.h and sim/vpost.h like the build's, so the host and the
# test programs load them with PECOS_SIM_DIR=OUT_DIR. Built with --assert (as the suite's;
# VBUILD_NO_ASSERT=1 leaves it out) and -O1 (small variants: compile time dominates;
# VBUILD_OPT=-O2 overrides). Extra arguments go to Verilator (e.g.
# --coverage). The work directory is OUT_DIR/obj_VARIANT. Exit 0 on success, 1 if the
# RTL does not build (Verilator or C++ errors, logged in OUT_DIR/obj_VARIANT/build.log).
set -e
rtl=$1; out=$2; variant=$3
shift 3
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/dv/rtl_files.sh"
vinc=/usr/share/verilator/include
[ -d "$vinc" ] || vinc=$(verilator --getenv VERILATOR_ROOT)/include
mdir=$out/obj_$variant
rm -rf "$mdir"
mkdir -p "$mdir"
log=$mdir/build.log
opt="${VBUILD_OPT:--O1} -fPIC -g0"
assert=--assert
[ "${VBUILD_NO_ASSERT:-0}" = 1 ] && assert=""   # for measuring what --assert costs
case $variant in
  ws_*|os_*)
    df=${variant%%_*}; rest=${variant#*_}; dt=${rest%%_*}; size=${rest#*_}
    rows=${size%x*}; cols=${size#*x}
    case $dt in int8) id=0; dw=8 ;; bf16) id=1; dw=16 ;; fp16) id=2; dw=16 ;;
      *) echo "vbuild.sh: unknown dtype in $variant" >&2; exit 2 ;; esac
    # fp: the grid's column loop stays rolled, as cmake/variant.cmake's PECOS_MODEL_FP_ARGS
    vargs_dt=""; [ "$dt" = int8 ] || vargs_dt="--unroll-stmts 300"
    if [ "$df" = os ]; then osf=1; else osf=0; fi
    srcs=$(rtl_files "$rtl" "array_$df")
    prefix=Vpecos_top; shim=$top/sim/vsim.cpp; lib=$out/libpecos_sim_$variant.so
    defs="-DVSIM_ROWS=$rows -DVSIM_COLS=$cols -DVSIM_DW=$dw -DVSIM_DTYPE=\"$dt\" -DVSIM_DATAFLOW=\"$df\" -DVSIM_OS=$osf"
    vargs="--top-module pecos_array_$df -GRows=$rows -GCols=$cols -GDType=$id ${vargs_dt:-}"
    ;;
  post_L*)
    lanes=${variant#post_L}
    srcs=$(rtl_files "$rtl" postproc)
    prefix=Vpecos_postproc; shim=$top/sim/vpost.cpp; lib=$out/libpecos_post_L$lanes.so
    defs="-DVPOST_LANES=$lanes"
    vargs="--top-module pecos_postproc -GLanes=$lanes"
    ;;
  fma_bf16|fma_fp16|fma_bf16_ftz|fma_fp16_ftz)
    name=${variant#fma_}
    case $name in bf16*) fmt=0 ;; *) fmt=1 ;; esac
    case $name in *_ftz) ftz=1 ;; *) ftz=0 ;; esac
    srcs=$(rtl_files "$rtl" fma)
    prefix=Vpecos_fma; shim=$top/sim/vfma.cpp; lib=$out/test_fma_$name
    defs="-DVFMA_FMT=$fmt -DVFMA_FTZ=$ftz"
    vargs="--top-module pecos_fma -GFmt=$fmt -GFtz=$ftz"
    ;;
  *) echo "vbuild.sh: unknown variant '$variant'" >&2; exit 2 ;;
esac
# The model is verilated with --trace-fst: the shim compiles its tracing in (VM_TRACE, which
# CMake's verilate() defines for the build's libraries). A coverage build defines VM_COVERAGE
# for the shim too (it writes the counts at close).
case $variant in fma_*) trace="" ;; *) trace=--trace-fst; defs="$defs -DVM_TRACE=1" ;; esac
case " $* " in *" --coverage"*) defs="$defs -DVM_COVERAGE=1" ;; esac
# the final link: a shared model library, or for the FMA unit the test program itself
link() {
  case $variant in
    fma_*)
      ${CCACHE:-ccache} gcc -std=c11 -c $opt -I"$top/common" -I"$top/sim" -DPECOS_FMA_FMT=$fmt \
        -DPECOS_FMA_FTZ=$ftz "$top/tests/test_fma.c" -o "$mdir/test_fma.o" &&
      ${CCACHE:-ccache} gcc -std=c11 -c $opt -I"$top/common" "$top/common/rng.c" -o "$mdir/rng.o" &&
      ${CCACHE:-ccache} g++ -std=c++17 $opt $defs -I"$mdir" -I"$vinc" -I"$vinc/vltstd" -I"$top/sim" \
        "$shim" "$mdir/test_fma.o" "$mdir/rng.o" "$mdir/${prefix}__ALL.a" $objs -lm -pthread -o "$lib" ;;
    *)
      ${CCACHE:-ccache} g++ -std=c++17 -shared $opt $defs -I"$mdir" -I"$vinc" -I"$vinc/vltstd" \
        -I"$top/sim" "$shim" "$mdir/${prefix}__ALL.a" $objs -lz -pthread -Wl,--no-undefined \
        -o "$lib" ;;
  esac
}
# shellcheck disable=SC2086
if ! { verilator --cc $trace $assert -I"$rtl" --x-assign fast --x-initial fast -O3 \
         --prefix $prefix -Mdir "$mdir" $vargs "$@" $srcs &&
       rt=$(sed -n '/^VM_GLOBAL_\(FAST\|SLOW\) += /,/^$/p' "$mdir/${prefix}_classes.mk" |
            sed -n 's/^\t\([a-z_]*\).*/\1.o/p' | tr '\n' ' ') &&
       make -s -C "$mdir" -f $prefix.mk OPT_FAST="$opt" OPT_SLOW="$opt" OPT_GLOBAL="$opt" \
         CXX="${CCACHE:-ccache} g++" ${prefix}__ALL.a $rt &&
       objs=$(for o in $rt; do printf '%s ' "$mdir/$o"; done) &&
       link; } >"$log" 2>&1; then
  exit 1
fi
