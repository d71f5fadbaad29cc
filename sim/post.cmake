# sim/post.cmake - the post-processing unit: rtl/pecos_postproc.sv verilated once per lane
# count into ${PECOS_SIM_DIR}/libpecos_post_L<Lanes>.so, which implements sim/vpost.h with
# only the vpost_* symbols exported. Included by the top-level CMakeLists.txt after the
# array variants.
#
# Lane counts: every distinct column count of PECOS_VARIANT_LIST (the PPU sits below the
# array's columns), plus PECOS_POST_LANES (extra counts, e.g. "2;32"). The SystemC flavour,
# libpecos_post_sc_L<Lanes>.so, likewise from PECOS_SC_VARIANT_LIST and PECOS_SC_POST_LANES.

set(PECOS_POST_LANES "" CACHE STRING "Extra lane counts of the post-processing unit to verilate")

# The sources: PECOS_RTL_POST(_STR), from rtl/postproc.f (cmake/variant.cmake). The latency
# LAT is declared once, in rtl/pecos_postproc_pkg.sv; the shim returns the verilated model's
# copy of it (Vpecos_postproc_pecos_postproc_pkg::Lat).

# pecos_add_post(LANES [SC]): verilates pecos_postproc with -GLanes=LANES into
# pecos_post_L<LANES>; with SC, into pecos_post_sc_L<LANES> (libpecos_post_sc_L<LANES>.so): the
# SystemC flavour (verilated with --sc, sim/sc/vpost_sc.cpp, which adds vpost_sc_bind(); needs
# PECOS_HAVE_SC, no tracing).
function(pecos_add_post lanes)
  if(NOT lanes MATCHES "^[0-9]+$" OR lanes LESS 1 OR lanes GREATER 256)
    message(FATAL_ERROR "post-processing lanes '${lanes}' must be 1..256")
  endif()
  if("${ARGN}" STREQUAL "SC")
    set(name post_sc_L${lanes})
    set(shim ${PECOS_SRC_DIR}/sim/sc/vpost_sc.cpp)
    set(flavour_arg SYSTEMC)
  elseif("${ARGN}" STREQUAL "")
    set(name post_L${lanes})
    set(shim ${PECOS_SRC_DIR}/sim/vpost.cpp)
    set(flavour_arg TRACE_FST)
  else()
    message(FATAL_ERROR "pecos_add_post(${lanes} ${ARGN}): the only option is SC")
  endif()
  set(tgt pecos_${name})
  pecos_sim_module(${tgt} ${shim})
  target_compile_definitions(${tgt} PRIVATE
    VPOST_LANES=${lanes}
    "VPOST_API=__attribute__((visibility(\"default\")))")
  verilate(${tgt}
    SOURCES ${PECOS_RTL_POST}
    TOP_MODULE pecos_postproc
    PREFIX Vpecos_postproc
    DIRECTORY ${CMAKE_BINARY_DIR}/verilated/${name}
    ${flavour_arg}
    OPT_FAST ${PECOS_MODEL_OPT_FAST}
    OPT_SLOW ${PECOS_MODEL_OPT_SLOW}
    VERILATOR_ARGS -GLanes=${lanes} -I${PECOS_SRC_DIR}/rtl --assert --x-assign fast --x-initial fast -O3)
  if("${ARGN}" STREQUAL "SC")
    pecos_sc_module(${tgt})
    set_property(GLOBAL APPEND PROPERTY PECOS_SC_POST_TARGETS ${tgt})
  else()
    set_property(GLOBAL APPEND PROPERTY PECOS_POST_TARGETS ${tgt})
  endif()
  pecos_share_runtime(${tgt})
endfunction()

set(PECOS_POST_LANE_LIST ${PECOS_POST_LANES})
foreach(v IN LISTS PECOS_VARIANT_LIST)
  if(v MATCHES "_([0-9]+)x([0-9]+)$")
    list(APPEND PECOS_POST_LANE_LIST ${CMAKE_MATCH_2})
  endif()
endforeach()
list(REMOVE_DUPLICATES PECOS_POST_LANE_LIST)
list(SORT PECOS_POST_LANE_LIST COMPARE NATURAL)
foreach(l IN LISTS PECOS_POST_LANE_LIST)
  pecos_add_post(${l})
endforeach()
get_property(PECOS_POST_TARGETS GLOBAL PROPERTY PECOS_POST_TARGETS)

# The SystemC flavour (PECOS_HAVE_SC): every distinct column count of PECOS_SC_VARIANT_LIST,
# plus PECOS_SC_POST_LANES.
set(PECOS_SC_POST_LANES "" CACHE STRING "Extra lane counts of the SystemC post-processing unit")
set(PECOS_SC_POST_LANE_LIST)
if(PECOS_HAVE_SC)
  set(PECOS_SC_POST_LANE_LIST ${PECOS_SC_POST_LANES})
  foreach(v IN LISTS PECOS_SC_VARIANT_LIST)
    if(v MATCHES "_([0-9]+)x([0-9]+)$")
      list(APPEND PECOS_SC_POST_LANE_LIST ${CMAKE_MATCH_2})
    endif()
  endforeach()
  list(REMOVE_DUPLICATES PECOS_SC_POST_LANE_LIST)
  list(SORT PECOS_SC_POST_LANE_LIST COMPARE NATURAL)
  foreach(l IN LISTS PECOS_SC_POST_LANE_LIST)
    pecos_add_post(${l} SC)
  endforeach()
endif()
get_property(PECOS_SC_POST_TARGETS GLOBAL PROPERTY PECOS_SC_POST_TARGETS)
