# cmake/variant.cmake - how one array variant becomes a loadable model library. Included by
# the top-level CMakeLists.txt and by sim/ondemand/CMakeLists.txt (the build of a single
# missing variant on first use, see host/dev/simlib.c). Needs PECOS_SRC_DIR (the source tree)
# and PECOS_SIM_DIR (where the libraries go).

# The arrays' PEs are one loop over register arrays (rtl/pecos_array_*.sv), so Verilator
# emits one copy of a PE's code, the FMA's included: no Verilator configuration file is
# needed to keep the generated C++ small (ws_bf16_16x16: 2.2 MB; docs/SPEED.md).

# Compiler options of the generated model code (measured on AlexNet conv3, docs/SPEED.md).
set(PECOS_MODEL_OPT_FAST -O2)
set(PECOS_MODEL_OPT_SLOW -O1)

# Verilator options of the bf16/fp16 models (dv/vbuild.sh passes the same): the PE grid's
# column loop stays a loop. Unrolled (Verilator's default for loops of up to 64 iterations, which
# the int8 grid wants: its column index becomes a constant), it holds one copy of the FMA per
# column, which no longer fits the instruction cache: 16x16 bf16 ran 28% slower than one copy.
# The int8 models must not get this option: their gated-MAC loop writes arrays with
# non-blocking assignments, which Verilator 5.006 accepts only in a loop it unrolls.
set(PECOS_MODEL_FP_ARGS --unroll-stmts 300)

# pecos_rtl_unit(VAR UNIT): the sources of one RTL unit, as rtl/UNIT.f lists them (the one
# list per unit, also read by dv/ and scripts/): VAR = absolute paths in order, VAR_STR =
# the same joined by spaces (for test command lines). Re-configures when the .f changes.
function(pecos_rtl_unit var unit)
  set(f ${PECOS_SRC_DIR}/rtl/${unit}.f)
  file(STRINGS ${f} lines ENCODING UTF-8)
  set(srcs)
  foreach(l IN LISTS lines)
    string(STRIP "${l}" l)
    if(l STREQUAL "" OR l MATCHES "^//")
      continue()
    endif()
    list(APPEND srcs ${PECOS_SRC_DIR}/rtl/${l})
  endforeach()
  if(NOT srcs)
    message(FATAL_ERROR "${f}: no source files")
  endif()
  string(JOIN " " str ${srcs})
  set(${var} ${srcs} PARENT_SCOPE)
  set(${var}_STR ${str} PARENT_SCOPE)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${f})
endfunction()

pecos_rtl_unit(PECOS_RTL_WS array_ws)
pecos_rtl_unit(PECOS_RTL_OS array_os)
pecos_rtl_unit(PECOS_RTL_POST postproc)
pecos_rtl_unit(PECOS_RTL_FMA fma)

# pecos_sim_module(TARGET SHIM): a loadable model library ${PECOS_SIM_DIR}/libTARGET.so built
# from SHIM (a C ABI over the verilated model that verilate() adds), exporting only what the
# shim marks visible.
function(pecos_sim_module tgt shim)
  add_library(${tgt} MODULE ${shim})
  set_target_properties(${tgt} PROPERTIES
    PREFIX "lib"
    LIBRARY_OUTPUT_DIRECTORY ${PECOS_SIM_DIR}
    POSITION_INDEPENDENT_CODE ON
    CXX_VISIBILITY_PRESET hidden)
  target_include_directories(${tgt} PRIVATE ${PECOS_SRC_DIR}/sim)
  # No debug info for generated model code in any configuration: it is unreadable and makes
  # the big variants compile several times slower (the asan preset is RelWithDebInfo).
  target_compile_options(${tgt} PRIVATE -g0)
  # A module may have undefined symbols, so a link against Verilator's stale list of
  # generated files (the first build after an RTL edit that changes that set: the list is
  # read at configure time) succeeded and left a library that failed to load at run time
  # ("undefined symbol: ...___eval"). Refused here, the link fails and scripts/build.sh's
  # retry builds with the new list.
  target_link_options(${tgt} PRIVATE -Wl,--no-undefined)
endfunction()

# pecos_share_runtime(TARGET): TARGET, a module that verilate() has filled, links Verilator's
# runtime (the verilated*.cpp files verilate() adds to every model: verilated.cpp,
# verilated_threads.cpp, and the FST writer or DPI support when the model uses them) from a
# static library compiled once per flavour (SystemC, FST tracing, coverage, the file set)
# instead of once per model: 29 models compiled verilated.cpp 29 times, 7 s each, 39% of the
# compile time of a cold build (docs/SPEED.md). The library's objects are built as the
# module's own were (-fPIC, hidden visibility, -g0, the VM_* definitions), so each module
# still holds a private copy. Call after pecos_sc_module() for the SystemC flavour.
function(pecos_share_runtime tgt)
  get_target_property(srcs ${tgt} SOURCES)
  set(rt)
  set(keep)
  foreach(f IN LISTS srcs)
    if(f MATCHES "/include/verilated[a-z_]*\\.cpp$")
      list(APPEND rt ${f})
    else()
      list(APPEND keep ${f})
    endif()
  endforeach()
  if(NOT rt)
    message(FATAL_ERROR "pecos_share_runtime(${tgt}): verilate() added no runtime sources")
  endif()
  set(vm)
  foreach(p COVERAGE SYSTEMC TRACE TRACE_VCD TRACE_FST)
    get_target_property(set_p ${tgt} VERILATOR_${p})
    if(set_p)
      list(APPEND vm 1)
    else()
      list(APPEND vm 0)
    endif()
  endforeach()
  set(key)
  foreach(f IN LISTS rt)
    get_filename_component(b ${f} NAME_WE)
    string(APPEND key "_${b}")
  endforeach()
  string(REPLACE ";" "" vmkey "${vm}")
  set(lib pecos_vlrt_${vmkey}${key})
  if(NOT TARGET ${lib})
    list(GET vm 0 cov)
    list(GET vm 1 sc)
    list(GET vm 2 tr)
    list(GET vm 3 vcd)
    list(GET vm 4 fst)
    add_library(${lib} STATIC ${rt})
    set_target_properties(${lib} PROPERTIES POSITION_INDEPENDENT_CODE ON
      CXX_VISIBILITY_PRESET hidden)
    target_compile_options(${lib} PRIVATE -g0)
    target_compile_features(${lib} PRIVATE cxx_std_11)
    target_include_directories(${lib} PRIVATE ${VERILATOR_ROOT}/include
      ${VERILATOR_ROOT}/include/vltstd)
    target_compile_definitions(${lib} PRIVATE VM_COVERAGE=${cov} VM_SC=${sc} VM_TRACE=${tr}
      VM_TRACE_VCD=${vcd} VM_TRACE_FST=${fst})
    # what the runtime needs (zlib for the FST writer, threads, SystemC): the libraries
    # verilate() gave the module, after the runtime on the link line
    get_target_property(libs ${tgt} LINK_LIBRARIES)
    if(libs)
      target_link_libraries(${lib} PUBLIC ${libs})
    endif()
    if(sc)
      verilator_link_systemc(${lib})
    endif()
  endif()
  set_property(TARGET ${tgt} PROPERTY SOURCES ${keep})
  target_link_libraries(${tgt} PRIVATE ${lib})
endfunction()

# pecos_find_systemc(): sets PECOS_HAVE_SC (in the caller's scope) ON if SystemC's header
# and library are found where Verilator's verilator_link_systemc() looks for them (the
# SYSTEMC_INCLUDE/SYSTEMC_LIBDIR/SYSTEMC_ROOT/SYSTEMC variables, then the default paths:
# Debian's libsystemc-dev), else OFF.
function(pecos_find_systemc)
  find_path(SYSTEMC_INCLUDEDIR NAMES systemc.h
    HINTS "${SYSTEMC_INCLUDE}" ENV SYSTEMC_INCLUDE "${SYSTEMC_ROOT}" ENV SYSTEMC_ROOT
    "${SYSTEMC}" ENV SYSTEMC PATH_SUFFIXES include)
  find_library(SYSTEMC_LIBRARY NAMES systemc
    HINTS "${SYSTEMC_LIBDIR}" ENV SYSTEMC_LIBDIR "${SYSTEMC_ROOT}" ENV SYSTEMC_ROOT
    "${SYSTEMC}" ENV SYSTEMC PATH_SUFFIXES lib lib-linux64)
  if(SYSTEMC_INCLUDEDIR AND SYSTEMC_LIBRARY)
    set(PECOS_HAVE_SC ON PARENT_SCOPE)
  else()
    set(PECOS_HAVE_SC OFF PARENT_SCOPE)
  endif()
endfunction()

# pecos_sc_module(TARGET): makes TARGET, a pecos_sim_module verilated with SYSTEMC, a SystemC
# flavour library: its shim's headers (sim/sc) and libsystemc.so, linked dynamically so that
# the program that loads the library shares its one SystemC kernel.
function(pecos_sc_module tgt)
  if(NOT PECOS_HAVE_SC)
    message(FATAL_ERROR "${tgt}: the SystemC flavour needs SystemC (systemc.h and libsystemc; Debian: libsystemc-dev)")
  endif()
  target_include_directories(${tgt} PRIVATE ${PECOS_SRC_DIR}/sim/sc)
  verilator_link_systemc(${tgt})
endfunction()

# pecos_add_variant(NAME): verilates one array configuration into the loadable model
# ${PECOS_SIM_DIR}/libpecos_sim_NAME.so that implements sim/vsim.h. NAME is
# DATAFLOW_DTYPE_ROWSxCOLS, or that with _trace: the same model with FST tracing compiled in
# (what --wave loads; tracing costs build time and speed, so the plain variants leave it out),
# or sc_DATAFLOW_DTYPE_ROWSxCOLS: the SystemC flavour (verilated with --sc, sim/sc/vsim_sc.cpp,
# which adds vsim_sc_bind(); needs PECOS_HAVE_SC, no tracing), target pecos_sim_sc_....
function(pecos_add_variant name)
  if(NOT name MATCHES "^(sc_)?(ws|os)_(int8|bf16|fp16)_([0-9]+)x([0-9]+)(_trace)?$")
    message(FATAL_ERROR "PECOS_VARIANTS: '${name}' is not DATAFLOW_DTYPE_ROWSxCOLS (e.g. ws_int8_16x16, os_int8_8x8; sc_ws_int8_4x4 for the SystemC flavour)")
  endif()
  set(sc ${CMAKE_MATCH_1})
  set(df ${CMAKE_MATCH_2})
  set(dt ${CMAKE_MATCH_3})
  set(rows ${CMAKE_MATCH_4})
  set(cols ${CMAKE_MATCH_5})
  set(trace ${CMAKE_MATCH_6})
  if(sc AND trace)
    message(FATAL_ERROR "PECOS_VARIANTS: '${name}': the SystemC flavour cannot trace")
  endif()
  set(dtype_args ${PECOS_MODEL_FP_ARGS})
  if(dt STREQUAL "int8")
    set(dtype_id 0)
    set(dw 8)
    set(dtype_args)
  elseif(dt STREQUAL "bf16")
    set(dtype_id 1)
    set(dw 16)
  else()
    set(dtype_id 2)
    set(dw 16)
  endif()
  if(rows LESS 1 OR cols LESS 1 OR rows GREATER 256 OR cols GREATER 256)
    message(FATAL_ERROR "PECOS_VARIANTS: '${name}': rows and cols must be 1..256")
  endif()
  set(tgt pecos_sim_${name})
  if(sc)
    pecos_sim_module(${tgt} ${PECOS_SRC_DIR}/sim/sc/vsim_sc.cpp)
    set(flavour_arg SYSTEMC)
  else()
    pecos_sim_module(${tgt} ${PECOS_SRC_DIR}/sim/vsim.cpp)
    set(flavour_arg)
  endif()
  target_compile_definitions(${tgt} PRIVATE
    VSIM_ROWS=${rows} VSIM_COLS=${cols} VSIM_DW=${dw} VSIM_DTYPE="${dt}" VSIM_DATAFLOW="${df}"
    VSIM_OS=$<IF:$<STREQUAL:${df},os>,1,0>
    "VSIM_API=__attribute__((visibility(\"default\")))")
  if(df STREQUAL "os")
    set(rtl ${PECOS_RTL_OS})
  else()
    set(rtl ${PECOS_RTL_WS})
  endif()
  set(trace_arg)
  if(trace)
    set(trace_arg TRACE_FST)
  endif()
  verilate(${tgt}
    SOURCES ${rtl}
    TOP_MODULE pecos_array_${df}
    PREFIX Vpecos_top
    DIRECTORY ${CMAKE_BINARY_DIR}/verilated/${name}
    ${trace_arg} ${flavour_arg}
    OPT_FAST ${PECOS_MODEL_OPT_FAST}
    OPT_SLOW ${PECOS_MODEL_OPT_SLOW}
    VERILATOR_ARGS -GRows=${rows} -GCols=${cols} -GDType=${dtype_id} -I${PECOS_SRC_DIR}/rtl --assert +define+PECOS_NO_PE_ASSERT --x-assign fast --x-initial fast -O3
                   ${dtype_args})
  if(sc)
    pecos_sc_module(${tgt})
    set_property(GLOBAL APPEND PROPERTY PECOS_SC_VARIANT_TARGETS ${tgt})
  else()
    set_property(GLOBAL APPEND PROPERTY PECOS_VARIANT_TARGETS ${tgt})
  endif()
  pecos_share_runtime(${tgt})
endfunction()
