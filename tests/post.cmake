# tests/post.cmake - the post-processing unit (rtl/pecos_postproc.sv): golden model by hand,
# the verilated PPU against the golden model for every built lane count, Icarus testbench,
# lint and synthesis. Included by tests/CMakeLists.txt. PECOS_POST_LANE_LIST,
# PECOS_POST_TARGETS come from sim/post.cmake, PECOS_RTL_POST(_STR) (rtl/postproc.f) from
# cmake/variant.cmake.

# The programs link only the libraries they need (models; dev and common), so that the PPU's
# tests do not wait for the rest of the host.
add_executable(test_golden_post test_golden_post.c)
target_compile_options(test_golden_post PRIVATE ${PECOS_C_WARNINGS})
target_link_libraries(test_golden_post PRIVATE pecos_models)
add_test(NAME unit.golden_post_hand_computed COMMAND test_golden_post)
set_tests_properties(unit.golden_post_hand_computed PROPERTIES LABELS unit)

add_executable(test_postproc test_postproc.c)
target_compile_options(test_postproc PRIVATE ${PECOS_C_WARNINGS})
target_compile_definitions(test_postproc PRIVATE PECOS_SIM_DIR="${PECOS_SIM_DIR}")
target_link_libraries(test_postproc PRIVATE pecos_dev pecos_models)
if(PECOS_POST_TARGETS)
  add_dependencies(test_postproc ${PECOS_POST_TARGETS})
endif()
foreach(l IN LISTS PECOS_POST_LANE_LIST)
  add_test(NAME rtl.post.L${l}.random_vs_golden COMMAND test_postproc ${l})
  set_tests_properties(rtl.post.L${l}.random_vs_golden PROPERTIES LABELS rtl)
  add_test(NAME rtl.post.L${l}.random_vs_golden_long COMMAND test_postproc ${l} 5000)
  set_tests_properties(rtl.post.L${l}.random_vs_golden_long PROPERTIES
    LABELS "rtl;slow" ENVIRONMENT PECOS_SEED=7)
endforeach()

# Lint: Verilator -Wall for Lanes 1, 4, 16, then Icarus -g2012 -Wall (no warning allowed).
set(_post_vvp ${CMAKE_CURRENT_BINARY_DIR}/pecos_postproc_lint.vvp)
add_test(NAME lint.postproc
  COMMAND sh -c "for l in 1 4 16; do verilator --lint-only -Wall -I${CMAKE_SOURCE_DIR}/rtl --top-module pecos_postproc -GLanes=$l ${PECOS_RTL_POST_STR} || exit 1; log=$(iverilog -g2012 -Wall -I${CMAKE_SOURCE_DIR}/rtl -Ppecos_postproc.Lanes=$l -s pecos_postproc -o ${_post_vvp} ${PECOS_RTL_POST_STR} 2>&1) || { echo \"$log\"; exit 1; }; [ -z \"$log\" ] || { echo \"$log\"; exit 1; }; done; echo 'pecos_postproc: lint clean (Lanes 1, 4, 16)'"
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
add_test(NAME lint.iverilog_g2012_tb_postproc
  COMMAND sh ${T}/iverilog_postproc.sh ${CMAKE_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR})
add_test(NAME lint.yosys_postproc COMMAND sh ${T}/yosys_postproc.sh ${CMAKE_SOURCE_DIR} 4)
set_tests_properties(lint.postproc lint.iverilog_g2012_tb_postproc lint.yosys_postproc
  PROPERTIES LABELS lint)
