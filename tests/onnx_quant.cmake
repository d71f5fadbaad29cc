# onnx_quant.cmake: quantization tests (CTest label `onnx`, hostile files also `cli`):
# libonnx-testdata's QuantizeLinear/DequantizeLinear cases, the trained digits models
# (models/digits), hostile .onnx files, and the 200 random QLinearConv cases of
# scripts/mk_qconv_cases.py on the golden path and on the int8 RTL (--require-rtl).
# Included from tests/CMakeLists.txt after onnx.cmake (uses PECOS_ONNX_TESTDATA, T,
# PECOS_BIN).

# --- golden QuantizeLinear / DequantizeLinear against the conformance vectors --------------
set(_q_cases test_quantizelinear test_quantizelinear_axis test_dequantizelinear test_dequantizelinear_axis)
foreach(c IN LISTS _q_cases)
  if(NOT EXISTS ${PECOS_ONNX_TESTDATA}/node/${c}/model.onnx)
    message(FATAL_ERROR "onnx_quant tests: ${PECOS_ONNX_TESTDATA}/node/${c} does not exist")
  endif()
  add_test(NAME onnx.node.${c} COMMAND pecos onnx-test --strict ${PECOS_ONNX_TESTDATA}/node/${c})
  set_tests_properties(onnx.node.${c} PROPERTIES LABELS onnx)
endforeach()

# Hand-computed Q/DQ (half to even, saturation, per axis, NaN), pecos_relu, and the .onnx
# nesting/size bound at its exact boundary.
pecos_c_test(test_onnx_quant test_onnx_quant.c)
add_test(NAME unit.onnx_quantize_dequantize_and_wire_bounds COMMAND test_onnx_quant)
set_tests_properties(unit.onnx_quantize_dequantize_and_wire_bounds PROPERTIES LABELS "unit;onnx")

# The QDQ rewrite on one small model per pattern (fused or left float, and why), fused
# outputs within one quantization step of the float QDQ graph.
set(_qv ${CMAKE_CURRENT_BINARY_DIR}/qdq_variants)
add_test(NAME fixtures.onnx_qdq_variants COMMAND /usr/bin/python3 ${T}/mk_qdq_variants.py ${_qv})
set_tests_properties(fixtures.onnx_qdq_variants PROPERTIES FIXTURES_SETUP onnx_qdq_variants LABELS "unit;onnx")
pecos_c_test(test_qdq test_qdq.c)
add_test(NAME unit.onnx_qdq_rewrite_patterns COMMAND test_qdq ${_qv})
set_tests_properties(unit.onnx_qdq_rewrite_patterns PROPERTIES LABELS "unit;onnx" FIXTURES_REQUIRED onnx_qdq_variants)

# --- the digits models: golden == mk_digits.py's numpy integer reference, QDQ == QLinear ----
pecos_c_test(test_digits test_digits.c)
add_test(NAME onnx.digits.golden_matches_numpy_and_qdq_equals_qlinear
  COMMAND test_digits ${CMAKE_SOURCE_DIR}/models/digits)
set_tests_properties(onnx.digits.golden_matches_numpy_and_qdq_equals_qlinear PROPERTIES LABELS onnx)

# The same models on the int8 RTL through `pecos eval` (h/onnx's command): every conv node of
# the fused QDQ export and of the QLinear export on the array (--require-rtl), RTL == golden
# on all 360 images (exit 0 only then).
set(_dg ${CMAKE_SOURCE_DIR}/models/digits)
foreach(_cfg "qdq;ws;8;ws_int8_8x8" "qlinear;os;4;os_int8_4x4")
  list(GET _cfg 0 _form)
  list(GET _cfg 1 _df)
  list(GET _cfg 2 _n)
  list(GET _cfg 3 _var)
  if(NOT _var IN_LIST PECOS_VARIANT_LIST)
    continue()
  endif()
  add_test(NAME onnx.digits.eval_${_form}_rtl_${_df}_${_n}x${_n}
    COMMAND pecos eval ${_dg}/digits_${_form}.onnx --data ${_dg}/test_x.npy --labels ${_dg}/test_y.npy
            --rows ${_n} --cols ${_n} --dataflow ${_df} --require-rtl)
  set_tests_properties(onnx.digits.eval_${_form}_rtl_${_df}_${_n}x${_n} PROPERTIES LABELS onnx)
endforeach()

# --- hostile models: one line, exit 2, never a stack overflow ---------------------------------
set(_oh ${CMAKE_CURRENT_BINARY_DIR}/onnx_hostile)
add_test(NAME fixtures.onnx_hostile
  COMMAND /usr/bin/python3 ${T}/onnx_hostile_fixtures.py ${CMAKE_CURRENT_BINARY_DIR}
          ${PECOS_ONNX_TESTDATA}/node/test_basic_convinteger)
set_tests_properties(fixtures.onnx_hostile PROPERTIES FIXTURES_SETUP onnx_hostile LABELS "cli;onnx")
add_test(NAME cli.bad.onnx_deep_nesting
  COMMAND sh ${T}/expect_exit.sh 2 "deep/model.onnx: ONNX model with messages nested more than 64 deep"
          ${PECOS_BIN} onnx-test ${_oh}/deep)
add_test(NAME cli.bad.onnx_oversized
  COMMAND sh ${T}/expect_exit.sh 2 "huge/model.onnx: file of 1073741825 bytes is larger than the 1073741824 bytes pecos reads"
          ${PECOS_BIN} onnx-test ${_oh}/huge)
set_tests_properties(cli.bad.onnx_deep_nesting cli.bad.onnx_oversized PROPERTIES
  LABELS "cli;onnx" FIXTURES_REQUIRED onnx_hostile)
if("ws_int8_4x4" IN_LIST PECOS_VARIANT_LIST)
  add_test(NAME cli.bad.onnx_run_deep_nesting
    COMMAND sh ${T}/expect_exit.sh 2 "--onnx .*deep/model.onnx: ONNX model with messages nested more than 64 deep"
            ${PECOS_BIN} run --rows 4 --cols 4 --onnx ${_oh}/deep/model.onnx)
  set_tests_properties(cli.bad.onnx_run_deep_nesting PROPERTIES LABELS "cli;onnx" FIXTURES_REQUIRED onnx_hostile)
endif()

# --- 200 random QLinearConv cases (scripts/mk_qconv_cases.py, seed 13) ------------------------
# Generated into the build tree by a fixture; every test takes 10 cases so that a failure
# names its case (onnx-test prints one line per case). On the golden path they check the
# golden operator against the script's independent numpy reference; on the int8 RTL,
# --require-rtl makes any case whose QLinearConv does not run on the array (and the
# post-processing unit) a failure (exit 1), --strict a skipped case.
set(_qc ${CMAKE_CURRENT_BINARY_DIR}/qconv_cases)
set(_qc_count 200)
set(_qc_per_test 10)
add_test(NAME fixtures.onnx_qconv_cases
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/scripts/mk_qconv_cases.py ${_qc} --seed 13 --count ${_qc_count})
set_tests_properties(fixtures.onnx_qconv_cases PROPERTIES FIXTURES_SETUP onnx_qconv LABELS onnx)
set(_qc_cfgs "golden|")
if("ws_int8_4x4" IN_LIST PECOS_VARIANT_LIST)
  list(APPEND _qc_cfgs "rtl_ws_4x4|--rtl 4x4 --require-rtl")
endif()
if("os_int8_8x8" IN_LIST PECOS_VARIANT_LIST)
  list(APPEND _qc_cfgs "rtl_os_8x8|--rtl 8x8 --dataflow os --require-rtl")
endif()
math(EXPR _qc_last "${_qc_count} / ${_qc_per_test} - 1")
foreach(cfg IN LISTS _qc_cfgs)
  string(FIND "${cfg}" "|" _bar)
  string(SUBSTRING "${cfg}" 0 ${_bar} _cname)
  math(EXPR _bar "${_bar} + 1")
  string(SUBSTRING "${cfg}" ${_bar} -1 _cargs)
  separate_arguments(_cargs UNIX_COMMAND "${_cargs}")
  foreach(b RANGE 0 ${_qc_last})
    math(EXPR _first "${b} * ${_qc_per_test}")
    math(EXPR _lastc "${_first} + ${_qc_per_test} - 1")
    set(_dirs "")
    foreach(i RANGE ${_first} ${_lastc})
      string(LENGTH "${i}" _l)
      if(_l EQUAL 1)
        set(i "00${i}")
      elseif(_l EQUAL 2)
        set(i "0${i}")
      endif()
      list(APPEND _dirs ${_qc}/case_${i})
    endforeach()
    list(GET _dirs 0 _d0)
    list(GET _dirs -1 _d1)
    get_filename_component(_n0 ${_d0} NAME)
    get_filename_component(_n1 ${_d1} NAME)
    set(_tname onnx.qconv_random.${_cname}.${_n0}_to_${_n1})
    add_test(NAME ${_tname} COMMAND pecos onnx-test --strict ${_cargs} ${_dirs})
    set_tests_properties(${_tname} PROPERTIES LABELS onnx FIXTURES_REQUIRED onnx_qconv)
  endforeach()
endforeach()
