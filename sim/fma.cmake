# sim/fma.cmake - the standalone FMA unit (rtl/fma.f) verilated once per format into
# a static library that implements sim/vfma.h. Included by the top-level CMakeLists.txt.
# Every library exports the same symbols: a program links exactly one of them.

# pecos_add_fma(NAME FMT FTZ): the static library pecos_fma_NAME, verilated with
# -GFmt=FMT -GFtz=FTZ into ${CMAKE_BINARY_DIR}/verilated/fma_NAME.
function(pecos_add_fma name fmt ftz)
  set(tgt pecos_fma_${name})
  add_library(${tgt} STATIC ${CMAKE_SOURCE_DIR}/sim/vfma.cpp)
  set_target_properties(${tgt} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  target_include_directories(${tgt} PUBLIC ${CMAKE_SOURCE_DIR}/sim)
  target_compile_definitions(${tgt} PRIVATE VFMA_FMT=${fmt} VFMA_FTZ=${ftz})
  target_compile_options(${tgt} PRIVATE -g0)
  verilate(${tgt}
    SOURCES ${PECOS_RTL_FMA}
    TOP_MODULE pecos_fma
    PREFIX Vpecos_fma
    DIRECTORY ${CMAKE_BINARY_DIR}/verilated/fma_${name}
    OPT_FAST -O2
    OPT_SLOW -O1
    VERILATOR_ARGS -GFmt=${fmt} -GFtz=${ftz} -I${CMAKE_SOURCE_DIR}/rtl --x-assign fast --x-initial fast -O3)
  pecos_share_runtime(${tgt}) # a program links one of these libraries: hidden is no matter
endfunction()

pecos_add_fma(bf16 0 0)
pecos_add_fma(fp16 1 0)
pecos_add_fma(bf16_ftz 0 1)
