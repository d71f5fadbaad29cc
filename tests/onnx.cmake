# onnx.cmake: CTest label `onnx`: every case of Debian's libonnx-testdata whose model uses
# only the operators pecos runs (Conv, ConvInteger, QLinearConv, Gemm, MatMul, MatMulInteger,
# QLinearMatMul, MaxPool, AveragePool, GlobalAveragePool, Relu, Add, Flatten, Reshape), one
# test per case: onnx.<corpus>.<case> runs `pecos onnx-test --strict` on it (a skipped case
# fails). Cases are selected by directory name at configure time; the few that match a
# pattern but use another operator are excluded below, each with its reason.
# Included from tests/CMakeLists.txt.
set(PECOS_ONNX_TESTDATA /usr/share/libonnx-testdata/data CACHE PATH
  "libonnx-testdata's data directory (node, pytorch-converted, pytorch-operator)")

set(_onnx_patterns_node
  test_add* test_averagepool* test_basic_conv* test_basic_convinteger* test_conv* test_convinteger*
  test_flatten* test_gemm* test_globalaveragepool* test_matmul* test_matmulinteger* test_maxpool*
  test_qlinearconv* test_qlinearmatmul* test_relu* test_reshape*)
set(_onnx_patterns_pytorch-converted
  test_AvgPool* test_Conv1d* test_Conv2d* test_Conv3d* test_Linear* test_MaxPool* test_ReLU*)
set(_onnx_patterns_pytorch-operator
  test_operator_add* test_operator_conv* test_operator_flatten test_operator_maxpool
  test_operator_view)

# corpus/case|reason: matched by a pattern above but outside the operator list.
set(_onnx_excluded
  "node/test_convtranspose|ConvTranspose is not one of the supported operators"
  "node/test_convtranspose_1d|ConvTranspose is not one of the supported operators"
  "node/test_convtranspose_3d|ConvTranspose is not one of the supported operators"
  "node/test_convtranspose_autopad_same|ConvTranspose is not one of the supported operators"
  "node/test_convtranspose_dilations|ConvTranspose is not one of the supported operators"
  "node/test_convtranspose_kernel_shape|ConvTranspose is not one of the supported operators"
  "node/test_convtranspose_output_shape|ConvTranspose is not one of the supported operators"
  "node/test_convtranspose_pad|ConvTranspose is not one of the supported operators"
  "node/test_convtranspose_pads|ConvTranspose is not one of the supported operators"
  "node/test_convtranspose_with_kernel|ConvTranspose is not one of the supported operators"
  "pytorch-converted/test_AvgPool1d|exported as Unsqueeze + AveragePool 2-D + Squeeze: Unsqueeze/Squeeze not supported"
  "pytorch-converted/test_AvgPool1d_stride|exported as Unsqueeze + AveragePool 2-D + Squeeze: Unsqueeze/Squeeze not supported"
  "pytorch-converted/test_Linear_no_bias|exported as Transpose + MatMul: Transpose not supported"
  "pytorch-operator/test_operator_addconstant|the constant comes from a Constant node: Constant not supported"
  "pytorch-operator/test_operator_convtranspose|ConvTranspose is not one of the supported operators")

set(PECOS_ONNX_CASES "")
foreach(corpus node pytorch-converted pytorch-operator)
  set(dir ${PECOS_ONNX_TESTDATA}/${corpus})
  if(NOT IS_DIRECTORY ${dir})
    message(FATAL_ERROR "onnx tests: ${dir} does not exist: install libonnx-testdata (scripts/setup.sh) or set PECOS_ONNX_TESTDATA")
  endif()
  set(n_corpus 0)
  foreach(pat IN LISTS _onnx_patterns_${corpus})
    file(GLOB matches LIST_DIRECTORIES true RELATIVE ${dir} ${dir}/${pat})
    foreach(case IN LISTS matches)
      if(NOT IS_DIRECTORY ${dir}/${case} OR NOT EXISTS ${dir}/${case}/model.onnx)
        continue()
      endif()
      set(excluded OFF)
      foreach(ex IN LISTS _onnx_excluded)
        if(ex MATCHES "^${corpus}/${case}\\|")
          set(excluded ON)
        endif()
      endforeach()
      if(excluded OR "${corpus}/${case}" IN_LIST PECOS_ONNX_CASES)
        continue()
      endif()
      list(APPEND PECOS_ONNX_CASES "${corpus}/${case}")
      math(EXPR n_corpus "${n_corpus} + 1")
    endforeach()
  endforeach()
  if(n_corpus EQUAL 0)
    message(FATAL_ERROR "onnx tests: no case of ${dir} matches the operator patterns")
  endif()
endforeach()

list(LENGTH PECOS_ONNX_CASES _n)
list(LENGTH _onnx_excluded _nx)
message(STATUS "onnx tests: ${_n} libonnx-testdata cases selected, ${_nx} excluded (tests/onnx.cmake says why)")

# The integer-mappable cases also run on the int8 RTL (`pecos onnx-test --rtl 4x4
# --require-rtl`: the array's result must equal the golden node output, with pecos run's
# checks, and a conv/matmul node left on the golden models fails) when the 4x4 int8
# variants are built. The quantized ones (uint8 with zero points) map through the
# zero-point folding of docs/ONNX.md. The other selected cases cannot use --require-rtl:
# real-valued float32 convs and matmuls have no int8 mapping (they run on the fp RTL below
# with --fp-rtl), 3-D convs do not map onto the 2-D array; they stay golden only and say why
# on their PASS line.
set(_onnx_rtl_cases
  node/test_basic_conv_with_padding node/test_basic_conv_without_padding node/test_basic_convinteger
  node/test_conv_with_autopad_same node/test_conv_with_strides_and_asymmetric_padding
  node/test_conv_with_strides_no_padding node/test_conv_with_strides_padding
  node/test_convinteger_with_padding node/test_convinteger_without_padding node/test_matmulinteger
  node/test_qlinearconv node/test_qlinearmatmul_2D node/test_qlinearmatmul_3D)
list(LENGTH _onnx_rtl_cases _n_onnx_rtl)
set(_onnx_rtl_args "")
if("ws_int8_4x4" IN_LIST PECOS_VARIANT_LIST)
  set(_onnx_rtl_args --rtl 4x4)
else()
  message(STATUS "onnx tests: ws_int8_4x4 not built: the onnx label runs the golden path only")
endif()
foreach(c IN LISTS PECOS_ONNX_CASES)
  string(REPLACE "/" "." tname "onnx.${c}")
  set(_req "")
  if(_onnx_rtl_args AND c IN_LIST _onnx_rtl_cases)
    set(_req --require-rtl)
  endif()
  add_test(NAME ${tname}
    COMMAND sh ${T}/with_rc.sh $<TARGET_FILE:pecos> onnx-test --strict ${_onnx_rtl_args} ${_req} ${PECOS_ONNX_TESTDATA}/${c})
  set_tests_properties(${tname} PROPERTIES LABELS onnx)
  if(_onnx_rtl_args AND c IN_LIST _onnx_rtl_cases)
    # PASS_REGULAR_EXPRESSION replaces the exit code: the PASS line and the exit status 0.
    set_tests_properties(${tname} PROPERTIES PASS_REGULAR_EXPRESSION "PASS [^\n]*path: golden\\+rtl.*rc=0")
  endif()
endforeach()
# The same cases under the other dataflows (is on the ws array, os on its own).
foreach(df is os)
  if("${df}" STREQUAL "os" AND NOT "os_int8_4x4" IN_LIST PECOS_VARIANT_LIST)
    continue()
  endif()
  if(NOT _onnx_rtl_args)
    continue()
  endif()
  set(_dirs "")
  foreach(c IN LISTS _onnx_rtl_cases)
    list(APPEND _dirs ${PECOS_ONNX_TESTDATA}/${c})
  endforeach()
  add_test(NAME onnx.rtl_${df}.int8_cases
    COMMAND sh -c "$<TARGET_FILE:pecos> onnx-test --strict --rtl 4x4 --dataflow ${df} --require-rtl \"$@\" | tee /dev/stderr | grep -c 'path: golden+rtl' | grep -qx ${_n_onnx_rtl}" sh ${_dirs})
  set_tests_properties(onnx.rtl_${df}.int8_cases PROPERTIES LABELS onnx)
endforeach()

# --- unit: the loader on hand-encoded protobuf, the interpreter, hand-computed operators ---
pecos_c_test(test_onnx_load test_onnx_load.c)
add_test(NAME unit.onnx_loader_and_golden_ops COMMAND test_onnx_load ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(unit.onnx_loader_and_golden_ops PROPERTIES LABELS "unit;onnx")

# --- cli: broken .onnx/.pb files exit 2 with one line naming the file; a wrong output exits 1
set(_ob ${CMAKE_CURRENT_BINARY_DIR}/onnx_bad)
add_test(NAME fixtures.onnx_bad
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/onnx_bad_fixtures.sh ${PECOS_ONNX_TESTDATA} ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(fixtures.onnx_bad PROPERTIES FIXTURES_SETUP onnx_bad LABELS "cli;onnx")
set(_onnx_bad_cases
  "onnx_truncated_model|trunc_model/model.onnx: not a valid ONNX model .*truncated or corrupted"
  "onnx_truncated_input|trunc_input/test_data_set_0/input_0.pb: not a valid ONNX TensorProto .*truncated or corrupted"
  "onnx_corrupted_output|corrupt_output/test_data_set_0/output_0.pb: not a valid ONNX TensorProto"
  "onnx_raw_data_short|short_raw/test_data_set_0/input_0.pb: raw_data has 4 bytes, dims need 8"
  "onnx_unknown_dtype|bad_dtype/test_data_set_0/input_0.pb: data_type 17 not supported"
  "onnx_text_model|text_model/model.onnx: not a valid ONNX model"
  "onnx_missing_dir|nonexistent: not a directory")
foreach(c IN LISTS _onnx_bad_cases)
  string(FIND "${c}" "|" _bar)
  string(SUBSTRING "${c}" 0 ${_bar} _name)
  math(EXPR _bar "${_bar} + 1")
  string(SUBSTRING "${c}" ${_bar} -1 _re)
  string(REGEX MATCH "^[a-z_]+" _dir "${_re}")
  add_test(NAME cli.bad.${_name} COMMAND sh ${T}/expect_exit.sh 2 "${_re}" ${PECOS_BIN} onnx-test ${_ob}/${_dir})
  set_tests_properties(cli.bad.${_name} PROPERTIES LABELS "cli;onnx" FIXTURES_REQUIRED onnx_bad)
endforeach()
add_test(NAME cli.bad.onnx_option
  COMMAND sh ${T}/expect_exit.sh 2 "unknown option --bogus" ${PECOS_BIN} onnx-test --bogus ${_ob}/x)
add_test(NAME cli.bad.onnx_no_dir COMMAND sh ${T}/expect_exit.sh 2 "no case directory" ${PECOS_BIN} onnx-test)
# PASS_REGULAR_EXPRESSION replaces the exit-code verdict: the exit code is printed and matched.
add_test(NAME cli.onnx_wrong_output_fails
  COMMAND sh -c "${PECOS_BIN} onnx-test ${_ob}/wrong_output; echo rc=$?")
set_tests_properties(cli.onnx_wrong_output_fails PROPERTIES LABELS "cli;onnx" FIXTURES_REQUIRED onnx_bad
  PASS_REGULAR_EXPRESSION "FAIL onnx_bad/wrong_output: [^\n]*4 of 4 elements differ[^\n]*\\(exact\\).*rc=1")
set_tests_properties(cli.bad.onnx_option cli.bad.onnx_no_dir PROPERTIES LABELS "cli;onnx")

# --- the quantized CNN of scripts/mk_qcnn.py: numpy's expected output == golden == RTL ------
set(_qcnn ${CMAKE_CURRENT_BINARY_DIR}/qcnn)
add_test(NAME fixtures.onnx_qcnn COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/scripts/mk_qcnn.py ${_qcnn})
set_tests_properties(fixtures.onnx_qcnn PROPERTIES FIXTURES_SETUP onnx_qcnn LABELS onnx)
if(_onnx_rtl_args)
  # Both convolutions and the matmul on the array (3 node runs), every one bit-exact.
  add_test(NAME onnx.qcnn.int8_rtl_every_layer COMMAND sh ${T}/with_rc.sh $<TARGET_FILE:pecos> onnx-test --strict --rtl 4x4 --require-rtl ${_qcnn})
  set_tests_properties(onnx.qcnn.int8_rtl_every_layer PROPERTIES LABELS onnx FIXTURES_REQUIRED onnx_qcnn
    PASS_REGULAR_EXPRESSION "PASS [^\n]*path: golden\\+rtl \\(3 node runs, [0-9]+ cycles\\).*rc=0")
  if("os_int8_4x4" IN_LIST PECOS_VARIANT_LIST)
    add_test(NAME onnx.qcnn.int8_rtl_os COMMAND sh ${T}/with_rc.sh $<TARGET_FILE:pecos> onnx-test --strict --rtl 4x4 --dataflow os --require-rtl ${_qcnn})
    set_tests_properties(onnx.qcnn.int8_rtl_os PROPERTIES LABELS onnx FIXTURES_REQUIRED onnx_qcnn
      PASS_REGULAR_EXPRESSION "PASS [^\n]*path: golden\\+rtl \\(3 node runs, [0-9]+ cycles\\).*rc=0")
  endif()
  # Checker self-test: a flipped output bit on the array must make the case FAIL (exit 1).
  add_test(NAME onnx.qcnn.injected_fault_fails
    COMMAND sh -c "$<TARGET_FILE:pecos> onnx-test --rtl 4x4 --inject-fault 0 ${_qcnn}; echo rc=$?")
  set_tests_properties(onnx.qcnn.injected_fault_fails PROPERTIES LABELS onnx FIXTURES_REQUIRED onnx_qcnn
    PASS_REGULAR_EXPRESSION "FAIL [^\n]*qcnn: [^\n]*RTL: [^\n]*bit-exact NO.*rc=1")
else()
  add_test(NAME onnx.qcnn.golden COMMAND pecos onnx-test --strict ${_qcnn})
  set_tests_properties(onnx.qcnn.golden PROPERTIES LABELS onnx FIXTURES_REQUIRED onnx_qcnn)
endif()

# --- pecos run --onnx: the quantized CNN end to end (array + post-processing unit) ----------
# mk_qcnn.py's default seed (7) has no near-tie: the RTL's requantization equals ONNX's float
# formula everywhere, so the output must equal output_0.pb exactly (onnx_run_check.sh).
foreach(_cfg "4;4;ws;ws_int8_4x4" "8;8;os;os_int8_8x8" "16;16;is;ws_int8_16x16")
  list(GET _cfg 0 _r)
  list(GET _cfg 1 _c)
  list(GET _cfg 2 _df)
  list(GET _cfg 3 _var)
  if(NOT _var IN_LIST PECOS_VARIANT_LIST)
    continue()
  endif()
  add_test(NAME onnx.run_qcnn.${_df}_${_r}x${_c}
    COMMAND sh ${T}/onnx_run_check.sh ${PECOS_BIN} ${_qcnn} ${_r} ${_c} ${_df} ${CMAKE_CURRENT_BINARY_DIR}/onnx_run)
  set_tests_properties(onnx.run_qcnn.${_df}_${_r}x${_c} PROPERTIES LABELS onnx FIXTURES_REQUIRED onnx_qcnn)
endforeach()
if("ws_int8_4x4" IN_LIST PECOS_VARIANT_LIST)
  # Checker self-test: a flipped accumulator bit fails the array's bit-exact check (exit 1).
  add_test(NAME onnx.run_qcnn.injected_fault_fails
    COMMAND sh -c "${PECOS_BIN} run --onnx ${_qcnn}/model.onnx --rows 4 --cols 4 --inject-fault 0; echo rc=$?")
  set_tests_properties(onnx.run_qcnn.injected_fault_fails PROPERTIES LABELS onnx FIXTURES_REQUIRED onnx_qcnn
    PASS_REGULAR_EXPRESSION "FAIL RTL: conv1: a pecos check failed: bit-exact NO.*rc=1")
  # --batch N: the images stacked into one layer per conv/matmul node, each image checked
  # against its own run and the test data set's expected output (onnx_batch_check.sh).
  add_test(NAME onnx.run_qcnn.batch
    COMMAND sh ${T}/onnx_batch_check.sh ${PECOS_BIN} ${_qcnn} ${CMAKE_CURRENT_BINARY_DIR})
  set_tests_properties(onnx.run_qcnn.batch PROPERTIES LABELS onnx FIXTURES_REQUIRED onnx_qcnn)
  # --fuse-ppu: QLinear* nodes with one scale requantized on the array's writeback path
  # (onnx_fuse_check.sh: ws/is/os, batch 1 and 3, bounded memory, the injected fault).
  add_test(NAME onnx.run_qcnn.fuse_ppu
    COMMAND sh ${T}/onnx_fuse_check.sh ${PECOS_BIN} ${_qcnn} ${CMAKE_CURRENT_BINARY_DIR})
  set_tests_properties(onnx.run_qcnn.fuse_ppu PROPERTIES LABELS onnx FIXTURES_REQUIRED onnx_qcnn)
  # Without a test data set next to the model the input is random from the seed.
  add_test(NAME onnx.run_qcnn.random_input
    COMMAND sh -c "mkdir -p ${CMAKE_CURRENT_BINARY_DIR}/onnx_run/bare && cp ${_qcnn}/model.onnx ${CMAKE_CURRENT_BINARY_DIR}/onnx_run/bare/ && ${PECOS_BIN} run --onnx ${CMAKE_CURRENT_BINARY_DIR}/onnx_run/bare/model.onnx --rows 4 --cols 4 --seed 3; echo rc=$?")
  set_tests_properties(onnx.run_qcnn.random_input PROPERTIES LABELS onnx FIXTURES_REQUIRED onnx_qcnn
    PASS_REGULAR_EXPRESSION "input: random, seed 3.*fc +QLinearMatMul +array\\+ppu .*PASS.*RTL share 100.0%.*rc=0")
  # Bad input: one line, exit 2. name|regex|args...: fields and arguments separated by '|'.
  set(_onnxrun_bad
    "onnx_run_missing_model|--onnx /nonexistent/model.onnx: |--onnx|/nonexistent/model.onnx"
    "onnx_run_truncated_model|--onnx .*trunc_model/model.onnx: not a valid ONNX model|--onnx|${_ob}/trunc_model/model.onnx"
    "onnx_run_input_shape|--input .*i8_1x2x5x5.npy: shape \\[1,2,5,5\\], the model's input 'x' is \\[1,1,8,8\\]|--onnx|${_qcnn}/model.onnx|--input|${D}/i8_1x2x5x5.npy"
    "onnx_run_input_dtype|--input .*i32_1x2x5x5.npy: dtype int32, the model's input 'x' is int8|--onnx|${_qcnn}/model.onnx|--input|${D}/i32_1x2x5x5.npy"
    "onnx_run_input_not_npy|--input .*model.onnx: |--onnx|${_qcnn}/model.onnx|--input|${_qcnn}/model.onnx"
    "onnx_run_with_layer|--onnx, --network and --layer exclude each other|--onnx|${_qcnn}/model.onnx|--layer|${L}"
    "onnx_run_input_without_onnx|--input goes with --onnx|--layer|${L}|--input|${D}/i8_1x2x5x5.npy")
  foreach(c IN LISTS _onnxrun_bad)
    string(REPLACE "|" ";" _parts "${c}")
    list(GET _parts 0 _name)
    list(GET _parts 1 _re)
    list(SUBLIST _parts 2 -1 _args)
    add_test(NAME cli.bad.${_name} COMMAND sh ${T}/expect_exit.sh 2 "${_re}" ${PECOS_BIN} run --rows 4 --cols 4 ${_args})
    set_tests_properties(cli.bad.${_name} PROPERTIES LABELS "cli;onnx" FIXTURES_REQUIRED "onnx_bad;onnx_qcnn;npy_fixtures")
  endforeach()
endif()

# --- zero points on the array: random quantized nodes of scripts/mk_zp_cases.py ------------
# 40 cases (10 each of QLinearConv, ConvInteger, MatMulInteger, QLinearMatMul: uint8/int8,
# nonzero and per-row/per-column zero points, groups, asymmetric pads, per-channel scales)
# with numpy's expected outputs; every one must run on the array (--require-rtl), under ws
# on 4x4, os on 4x4 and is on 8x8 (about 40% of them have weights with w - zw outside int8:
# the all-ones channel mapping). conv3d_unmappable (3-D) cannot map: it must be reported
# golden only, and --require-rtl must fail it naming the node and the reason.
set(_zp ${CMAKE_CURRENT_BINARY_DIR}/zp)
add_test(NAME fixtures.onnx_zp COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/scripts/mk_zp_cases.py ${_zp} --count 10)
set_tests_properties(fixtures.onnx_zp PROPERTIES FIXTURES_SETUP onnx_zp LABELS onnx)
foreach(_cfg "4x4;ws;ws_int8_4x4" "4x4;os;os_int8_4x4" "8x8;is;ws_int8_8x8")
  list(GET _cfg 0 _rc)
  list(GET _cfg 1 _df)
  list(GET _cfg 2 _var)
  if(NOT _var IN_LIST PECOS_VARIANT_LIST)
    continue()
  endif()
  add_test(NAME onnx.zp.${_df}_${_rc}
    COMMAND sh ${T}/onnx_zp_check.sh ${PECOS_BIN} ${_zp} ${_rc} ${_df} ${CMAKE_CURRENT_BINARY_DIR}/onnx_run)
  set_tests_properties(onnx.zp.${_df}_${_rc} PROPERTIES LABELS onnx FIXTURES_REQUIRED onnx_zp)
endforeach()
if("ws_int8_4x4" IN_LIST PECOS_VARIANT_LIST)
  set(_zp_why "node 'conv3d' \\(ConvInteger\\) ran on the golden models only: only 1-D and 2-D convolutions map onto the array")
  add_test(NAME onnx.zp.unmappable_reported
    COMMAND sh ${T}/with_rc.sh $<TARGET_FILE:pecos> onnx-test --strict --rtl 4x4 ${_zp}/conv3d_unmappable)
  set_tests_properties(onnx.zp.unmappable_reported PROPERTIES LABELS onnx FIXTURES_REQUIRED onnx_zp
    PASS_REGULAR_EXPRESSION "PASS [^\n]*path: golden; golden only for ConvInteger: only 1-D and 2-D convolutions map onto the array.*rc=0")
  add_test(NAME onnx.zp.require_rtl_fails
    COMMAND sh -c "${PECOS_BIN} onnx-test --rtl 4x4 --require-rtl ${_zp}/conv3d_unmappable; echo rc=$?")
  set_tests_properties(onnx.zp.require_rtl_fails PROPERTIES LABELS onnx FIXTURES_REQUIRED onnx_zp
    PASS_REGULAR_EXPRESSION "FAIL zp/conv3d_unmappable: --require-rtl: ${_zp_why}.*rc=1")
  add_test(NAME onnx.run_zp.require_rtl_fails
    COMMAND sh -c "${PECOS_BIN} run --onnx ${_zp}/conv3d_unmappable/model.onnx --rows 4 --cols 4 --require-rtl; echo rc=$?")
  set_tests_properties(onnx.run_zp.require_rtl_fails PROPERTIES LABELS onnx FIXTURES_REQUIRED onnx_zp
    PASS_REGULAR_EXPRESSION "FAIL --require-rtl: ${_zp_why}.*rc=1")
  # run --onnx on a uint8 -> uint8 QLinearConv (uint8 weights, w_zero_point 202: wide) on the
  # array and the PPU, RTL share 100%
  add_test(NAME onnx.run_zp.qlinearconv_uint8
    COMMAND sh -c "${PECOS_BIN} run --onnx ${_zp}/qlinearconv_9/model.onnx --rows 4 --cols 4 --require-rtl; echo rc=$?")
  set_tests_properties(onnx.run_zp.qlinearconv_uint8 PROPERTIES LABELS onnx FIXTURES_REQUIRED onnx_zp
    PASS_REGULAR_EXPRESSION "qconv +QLinearConv +array\\+ppu [^\n]* PASS.*RTL share 100.0%.*rc=0")

  # uint8 QLinearConv -> uint8 MaxPool: the pool on the PPU (x - 128, + 128 after), the output
  # equal to numpy's expected output
  add_test(NAME onnx.run_zp.conv_pool_uint8
    COMMAND sh -c "${PECOS_BIN} run --onnx ${_zp}/conv_pool_uint8/model.onnx --rows 4 --cols 4 --require-rtl; echo rc=$?")
  set_tests_properties(onnx.run_zp.conv_pool_uint8 PROPERTIES LABELS onnx FIXTURES_REQUIRED onnx_zp
    PASS_REGULAR_EXPRESSION "pool +MaxPool +ppu [^\n]* 0/27 +PASS.*RTL share 100.0%.*output 'y': 0 of 27 elements differ.*PASS.*rc=0")

  # --- pecos eval on the quantized CNN: RTL == golden on every image ------------------------
  add_test(NAME onnx.eval_qcnn.ws_4x4
    COMMAND sh ${T}/eval_check.sh ${PECOS_BIN} ${_qcnn} 4 4 ws ${CMAKE_CURRENT_BINARY_DIR}/onnx_run 24)
  set_tests_properties(onnx.eval_qcnn.ws_4x4 PROPERTIES LABELS onnx FIXTURES_REQUIRED onnx_qcnn)
  if("os_int8_8x8" IN_LIST PECOS_VARIANT_LIST)
    add_test(NAME onnx.eval_qcnn.os_8x8
      COMMAND sh ${T}/eval_check.sh ${PECOS_BIN} ${_qcnn} 8 8 os ${CMAKE_CURRENT_BINARY_DIR}/onnx_run 12)
    set_tests_properties(onnx.eval_qcnn.os_8x8 PROPERTIES LABELS onnx FIXTURES_REQUIRED onnx_qcnn)
  endif()
  # The digits float model on the bf16 and fp16 arrays beside the int8 model (first 40 test
  # images; the whole split takes ~12 s per format: h/digits' docs give those numbers).
  foreach(_f bf16 fp16)
    if(NOT "ws_${_f}_4x4" IN_LIST PECOS_VARIANT_LIST)
      continue()
    endif()
    add_test(NAME onnx.eval_digits.fp_rtl_${_f}_4x4
      COMMAND sh ${T}/with_rc.sh $<TARGET_FILE:pecos> eval ${CMAKE_SOURCE_DIR}/models/digits/digits_qdq.onnx
              --data ${CMAKE_SOURCE_DIR}/models/digits/test_x.npy --labels ${CMAKE_SOURCE_DIR}/models/digits/test_y.npy
              --float-model ${CMAKE_SOURCE_DIR}/models/digits/digits_float.onnx --fp-rtl ${_f} --rows 4 --cols 4
              --limit 40 --require-rtl)
    set_tests_properties(onnx.eval_digits.fp_rtl_${_f}_4x4 PROPERTIES LABELS onnx
      PASS_REGULAR_EXPRESSION "40 images.*float model on the ${_f} array [0-9.]+% .*RTL == golden: 40 of 40 images.*float model on the ${_f} array, per image: [0-9]+ cycles[^\n]*RTL share of its conv/matmul MACs 100.0%.*PASS.*rc=0")
  endforeach()
  # Checker self-test: a fault on the array fails eval (exit 1) with the node's check.
  add_test(NAME onnx.eval_qcnn.injected_fault_fails
    COMMAND sh -c "mkdir -p ${CMAKE_CURRENT_BINARY_DIR}/onnx_run && /usr/bin/python3 -c 'import numpy as n; n.save(\"${CMAKE_CURRENT_BINARY_DIR}/onnx_run/label1.npy\", n.array([3], dtype=n.int32))' && ${PECOS_BIN} eval ${_qcnn}/model.onnx --data ${_qcnn}/x.npy --labels ${CMAKE_CURRENT_BINARY_DIR}/onnx_run/label1.npy --rows 4 --cols 4 --inject-fault 0; echo rc=$?")
  set_tests_properties(onnx.eval_qcnn.injected_fault_fails PROPERTIES LABELS onnx FIXTURES_REQUIRED onnx_qcnn
    PASS_REGULAR_EXPRESSION "FAIL image 0: RTL: conv1: a pecos check failed: bit-exact NO.*FAIL.*rc=1")
endif()
set(_eval_bad
  "eval_no_labels|needs MODEL.onnx, --data X.npy and --labels Y.npy|${_qcnn}/model.onnx|--data|${_qcnn}/x.npy"
  "eval_labels_count|--labels .*x.npy: 1 integer labels expected|${_qcnn}/model.onnx|--data|${_qcnn}/x.npy|--labels|${_qcnn}/x.npy"
  "eval_data_dtype|--data .*i32_1x2x5x5.npy: dtype int32, the input 'x'|${_qcnn}/model.onnx|--data|${D}/i32_1x2x5x5.npy|--labels|${D}/i32_1x2x5x5.npy"
  "eval_fp_rtl_without_float|--fp-rtl runs the float model|${_qcnn}/model.onnx|--data|${_qcnn}/x.npy|--labels|${_qcnn}/x.npy|--fp-rtl|bf16"
  "eval_missing_model|/nonexistent.onnx: |/nonexistent.onnx|--data|${_qcnn}/x.npy|--labels|${_qcnn}/x.npy")
foreach(c IN LISTS _eval_bad)
  string(REPLACE "|" ";" _parts "${c}")
  list(GET _parts 0 _name)
  list(GET _parts 1 _re)
  list(SUBLIST _parts 2 -1 _args)
  add_test(NAME cli.bad.${_name} COMMAND sh ${T}/expect_exit.sh 2 "${_re}" ${PECOS_BIN} eval ${_args})
  set_tests_properties(cli.bad.${_name} PROPERTIES LABELS "cli;onnx" FIXTURES_REQUIRED "onnx_qcnn;npy_fixtures")
endforeach()
add_test(NAME cli.bad.onnx_require_rtl_without_rtl
  COMMAND sh ${T}/expect_exit.sh 2 "--require-rtl needs --rtl" ${PECOS_BIN} onnx-test --require-rtl ${PECOS_ONNX_TESTDATA}/node/test_matmul_2d)
add_test(NAME cli.bad.run_require_rtl_without_onnx
  COMMAND sh ${T}/expect_exit.sh 2 "--require-rtl goes with --onnx" ${PECOS_BIN} run --layer ${L} --require-rtl)
set_tests_properties(cli.bad.onnx_require_rtl_without_rtl cli.bad.run_require_rtl_without_onnx PROPERTIES LABELS "cli;onnx")

# --- float cases through the fp RTL (`pecos onnx-test --fp-rtl`) ----------------------------
# Every selected float Conv/Gemm/MatMul case again with --rtl 4x4 --fp-rtl bf16: the nodes
# that map run on the bf16 array (bit-exact vs the golden fp conv in the array's order) and
# must stay within the derived error bound (docs/ONNX.md); the PASS line must say so. The
# cases below that do not map (alpha/beta != 1, a matrix C, 3-D) must say why.
set(_onnx_fp_re "^node/test_(basic_conv_with|conv_with|gemm_|matmul_)|^pytorch-converted/test_(Conv[123]d|Linear)|^pytorch-operator/test_operator_conv$")
set(_onnx_fp_golden_re "gemm_(all_attributes|alpha|beta|default_matrix_bias)$|Conv3d")
set(_onnx_fp_slow pytorch-operator/test_operator_conv) # 5.3 M cycles: ~10 s on the bf16 array
if("ws_bf16_4x4" IN_LIST PECOS_VARIANT_LIST AND _onnx_rtl_args)
  set(_fp_fast_dirs "")
  set(_n_fp_mapped 0)
  foreach(c IN LISTS PECOS_ONNX_CASES)
    if(NOT c MATCHES "${_onnx_fp_re}")
      continue()
    endif()
    string(REPLACE "/" "." tname "onnx.fp_rtl.${c}")
    if(c MATCHES "${_onnx_fp_golden_re}")
      # these cannot take --require-rtl: their node stays golden (the PASS line says why)
      add_test(NAME ${tname} COMMAND sh ${T}/with_rc.sh $<TARGET_FILE:pecos> onnx-test --strict --rtl 4x4 --fp-rtl bf16 ${PECOS_ONNX_TESTDATA}/${c})
      set(_re "PASS [^\n]*fp-rtl golden only for .*rc=0")
    else()
      add_test(NAME ${tname}
        COMMAND sh ${T}/with_rc.sh $<TARGET_FILE:pecos> onnx-test --strict --rtl 4x4 --fp-rtl bf16 --require-rtl ${PECOS_ONNX_TESTDATA}/${c})
      set(_re "PASS [^\n]*fp-rtl bf16 \\([0-9]+ node runs?, [0-9]+ cycles, max \\|err\\|/bound [0-9.e-]+\\).*rc=0")
      if(NOT c IN_LIST _onnx_fp_slow)
        list(APPEND _fp_fast_dirs ${PECOS_ONNX_TESTDATA}/${c})
        math(EXPR _n_fp_mapped "${_n_fp_mapped} + 1")
      endif()
    endif()
    if(c IN_LIST _onnx_fp_slow)
      set_tests_properties(${tname} PROPERTIES LABELS "onnx;slow" PASS_REGULAR_EXPRESSION "${_re}")
    else()
      set_tests_properties(${tname} PROPERTIES LABELS onnx PASS_REGULAR_EXPRESSION "${_re}")
    endif()
  endforeach()
  message(STATUS "onnx tests: ${_n_fp_mapped} float cases run on the fp RTL (plus ${_onnx_fp_slow} under `slow`)")
  # Checker self-test: a flipped output bit on the bf16 array fails the case (exit 1).
  add_test(NAME onnx.fp_rtl.injected_fault_fails
    COMMAND sh -c "${PECOS_BIN} onnx-test --rtl 4x4 --fp-rtl bf16 --inject-fault 0 ${PECOS_ONNX_TESTDATA}/node/test_matmul_2d; echo rc=$?")
  set_tests_properties(onnx.fp_rtl.injected_fault_fails PROPERTIES LABELS onnx
    PASS_REGULAR_EXPRESSION "FAIL [^\n]*fp RTL: node0_MatMul: a pecos check failed: bit-exact NO.*rc=1")
  # The same mapped cases on the fp16 array: every one must report its fp16 node runs.
  if("ws_fp16_4x4" IN_LIST PECOS_VARIANT_LIST)
    add_test(NAME onnx.fp_rtl_fp16.float_cases
      COMMAND sh -c "out=$($<TARGET_FILE:pecos> onnx-test --strict --rtl 4x4 --fp-rtl fp16 --require-rtl \"$@\"); rc=$?; printf '%s\\n' \"$out\"; n=$(printf '%s\\n' \"$out\" | grep -c 'fp-rtl fp16 ('); echo \"rc=$rc, $n fp16 node runs, expected ${_n_fp_mapped} (> 0)\"; [ $rc -eq 0 ] && [ ${_n_fp_mapped} -gt 0 ] && [ $n -eq ${_n_fp_mapped} ]" sh ${_fp_fast_dirs})
    set_tests_properties(onnx.fp_rtl_fp16.float_cases PROPERTIES LABELS onnx)
  endif()
endif()
add_test(NAME cli.bad.onnx_fp_rtl_without_rtl
  COMMAND sh ${T}/expect_exit.sh 2 "--fp-rtl needs --rtl" ${PECOS_BIN} onnx-test --fp-rtl bf16 ${PECOS_ONNX_TESTDATA}/node/test_matmul_2d)
add_test(NAME cli.bad.onnx_fp_rtl_format
  COMMAND sh ${T}/expect_exit.sh 2 "--fp-rtl fp8: bf16 or fp16" ${PECOS_BIN} onnx-test --rtl 4x4 --fp-rtl fp8 ${PECOS_ONNX_TESTDATA}/node/test_matmul_2d)
set_tests_properties(cli.bad.onnx_fp_rtl_without_rtl cli.bad.onnx_fp_rtl_format PROPERTIES LABELS "cli;onnx")
