# tests/fma.cmake - the FMA unit: 10 M vectors per format against fmaf(), lint, synthesis.
# Included by tests/CMakeLists.txt. The pecos_fma_* libraries come from sim/fma.cmake (the
# top level includes it later; target names resolve at generate time). Each test program
# links exactly one of them: they export the same symbols.

# name|Fmt|Ftz
foreach(cfg "bf16|0|0" "fp16|1|0" "bf16_ftz|0|1")
  string(REPLACE "|" ";" cfg "${cfg}")
  list(GET cfg 0 name)
  list(GET cfg 1 fmt)
  list(GET cfg 2 ftz)
  pecos_c_test(test_fma_${name} test_fma.c)
  target_compile_definitions(test_fma_${name} PRIVATE PECOS_FMA_FMT=${fmt} PECOS_FMA_FTZ=${ftz})
  target_link_libraries(test_fma_${name} PRIVATE pecos_fma_${name} m)
  set_target_properties(test_fma_${name} PROPERTIES LINKER_LANGUAGE CXX)
  add_test(NAME unit.fma.${name}_vs_fmaf COMMAND test_fma_${name})
  set_tests_properties(unit.fma.${name}_vs_fmaf PROPERTIES LABELS unit)
endforeach()

# Lint: Verilator -Wall for every parameter combination, then Icarus -g2012.
set(_fma_sv ${PECOS_RTL_FMA_STR})
set(_fma_vvp ${CMAKE_CURRENT_BINARY_DIR}/pecos_fma.vvp)
add_test(NAME lint.fma
  COMMAND sh -c "for p in '-GFmt=0 -GFtz=0' '-GFmt=1 -GFtz=0' '-GFmt=0 -GFtz=1' '-GFmt=1 -GFtz=1'; do verilator --lint-only -Wall -I${CMAKE_SOURCE_DIR}/rtl --top-module pecos_fma $p ${_fma_sv} || exit 1; done; for f in 0 1; do for z in 0 1; do iverilog -g2012 -Wall -I${CMAKE_SOURCE_DIR}/rtl -Ppecos_fma.Fmt=$f -Ppecos_fma.Ftz=$z -o ${_fma_vvp} ${_fma_sv} || exit 1; done; done; echo 'pecos_fma: lint clean'"
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
add_test(NAME lint.yosys_fma COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/yosys_fma.sh ${CMAKE_SOURCE_DIR})
set_tests_properties(lint.fma lint.yosys_fma PROPERTIES LABELS lint)
