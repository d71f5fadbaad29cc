# sim/post.cmake - the post-processing unit: rtl/pecos_postproc.sv verilated once per lane
# count into ${PECOS_SIM_DIR}/libpecos_post_L<Lanes>.so, which implements sim/vpost.h with
# only the vpost_* symbols exported. Included by the top-level CMakeLists.txt after the
# array variants.
#
# Lane counts: every distinct column count of PECOS_VARIANT_LIST (the PPU sits below the
# array's columns), plus PECOS_POST_LANES (extra counts, e.g. "2;32").

set(PECOS_POST_LANES "" CACHE STRING "Extra lane counts of the post-processing unit to verilate")

set(PECOS_RTL_POST
  ${PECOS_SRC_DIR}/rtl/pecos_delay.sv
  ${PECOS_SRC_DIR}/rtl/pecos_requant.sv
  ${PECOS_SRC_DIR}/rtl/pecos_pool.sv
  ${PECOS_SRC_DIR}/rtl/pecos_postproc.sv)
string(JOIN " " PECOS_RTL_POST_STR ${PECOS_RTL_POST})

# LAT is a literal localparam of the RTL; the shim reports it and the tests check it.
file(STRINGS ${PECOS_SRC_DIR}/rtl/pecos_postproc.sv _post_lat_line ENCODING UTF-8
  REGEX "^ *localparam int Lat = [0-9]+;")
if(NOT _post_lat_line MATCHES "Lat = ([0-9]+)")
  message(FATAL_ERROR "rtl/pecos_postproc.sv: no line 'localparam int Lat = N;'")
endif()
set(PECOS_POST_LAT ${CMAKE_MATCH_1})
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  ${PECOS_SRC_DIR}/rtl/pecos_postproc.sv)

# pecos_add_post(LANES): verilates pecos_postproc with -GLanes=LANES into pecos_post_L<LANES>.
function(pecos_add_post lanes)
  if(NOT lanes MATCHES "^[0-9]+$" OR lanes LESS 1 OR lanes GREATER 256)
    message(FATAL_ERROR "post-processing lanes '${lanes}' must be 1..256")
  endif()
  set(tgt pecos_post_L${lanes})
  pecos_sim_module(${tgt} ${PECOS_SRC_DIR}/sim/vpost.cpp)
  target_compile_definitions(${tgt} PRIVATE
    VPOST_LANES=${lanes} VPOST_LAT=${PECOS_POST_LAT}
    "VPOST_API=__attribute__((visibility(\"default\")))")
  verilate(${tgt}
    SOURCES ${PECOS_RTL_POST}
    TOP_MODULE pecos_postproc
    PREFIX Vpecos_postproc
    DIRECTORY ${CMAKE_BINARY_DIR}/verilated/post_L${lanes}
    TRACE_FST
    OPT_FAST ${PECOS_MODEL_OPT_FAST}
    OPT_SLOW ${PECOS_MODEL_OPT_SLOW}
    VERILATOR_ARGS -GLanes=${lanes} -I${CMAKE_SOURCE_DIR}/rtl --assert --x-assign fast --x-initial fast -O3)
  set_property(GLOBAL APPEND PROPERTY PECOS_POST_TARGETS ${tgt})
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
