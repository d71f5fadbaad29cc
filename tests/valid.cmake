# tests/valid.cmake - validation power (issue 14): the assertions fire (Icarus bench and the
# verilated shim), and a small mutation sample (slow). Included by tests/CMakeLists.txt.
add_test(NAME valid.assertions_fire_icarus
  COMMAND sh ${CMAKE_SOURCE_DIR}/dv/assert_check.sh ${CMAKE_SOURCE_DIR}
    ${CMAKE_CURRENT_BINARY_DIR}/assert_check)
set_tests_properties(valid.assertions_fire_icarus PROPERTIES LABELS "lint;valid")

pecos_c_test(test_assert_shim test_assert_shim.c)
if("ws_int8_4x4" IN_LIST PECOS_VARIANT_LIST)
  add_test(NAME valid.assertion_is_a_failure_4x4 COMMAND sh ${T}/with_rc.sh $<TARGET_FILE:test_assert_shim> 4 4)
  # The model's own line names the assertion; the program checks the cycle and the rest.
  set_tests_properties(valid.assertion_is_a_failure_4x4 PROPERTIES LABELS "rtl;valid"
    PASS_REGULAR_EXPRESSION "PECOS_ASSERT WsWeightColInRange failed.*PASS: test_assert_shim.*rc=0"
    FAIL_REGULAR_EXPRESSION "FAIL")
  # A small mutation sample against the kill suite: every non-equivalent mutant killed. The
  # files whose variants build fast (an FMA mutant takes minutes per variant to verilate).
  add_test(NAME valid.mutation_sample
    COMMAND sh ${CMAKE_SOURCE_DIR}/scripts/mutate.sh -n 6 --seed 3 --build ${CMAKE_BINARY_DIR}
      --files "pecos_(requant|pool|perf_ctr|mac|array_ws|array_os)"
      --out ${CMAKE_CURRENT_BINARY_DIR}/mutate_sample --min-score 100)
  set_tests_properties(valid.mutation_sample PROPERTIES LABELS "slow;valid" TIMEOUT 3600)
endif()
