# tests/sc.cmake - the SystemC flavour of the models (sim/sc/, issue #15): each SC library in
# lockstep with its plain twin (tests/sc/sc_lockstep.cpp), for every SC variant and PPU lane
# count whose plain twin is built too. Only with PECOS_HAVE_SC. Included by
# tests/CMakeLists.txt; PECOS_SC_VARIANT_LIST and PECOS_SC_POST_LANE_LIST come from the
# top-level CMakeLists.txt and sim/post.cmake.
if(NOT PECOS_HAVE_SC)
  return()
endif()

# C++17 like libsystemc (its API version check links against the C++ standard it was built
# with), linked with the same libsystemc.so as the SC libraries it loads.
add_executable(sc_lockstep sc/sc_lockstep.cpp)
target_include_directories(sc_lockstep PRIVATE ${CMAKE_SOURCE_DIR}/sim ${CMAKE_SOURCE_DIR}/sim/sc)
target_include_directories(sc_lockstep SYSTEM PRIVATE ${SYSTEMC_INCLUDEDIR})
target_link_libraries(sc_lockstep PRIVATE ${SYSTEMC_LIBRARY} ${CMAKE_DL_LIBS})
target_compile_options(sc_lockstep PRIVATE
  -Wall -Wextra -Wshadow $<$<BOOL:${PECOS_WERROR}>:-Werror>)

# 3000 cycles each (a reset half-way); the seed is fixed, `sc_lockstep DIR NAME CYCLES SEED`
# tries others.
foreach(v IN LISTS PECOS_SC_VARIANT_LIST)
  string(REGEX REPLACE "^sc_" "" plain ${v})
  if(NOT plain IN_LIST PECOS_VARIANT_LIST)
    continue()
  endif()
  add_test(NAME sc.lockstep.${plain} COMMAND sc_lockstep ${PECOS_SIM_DIR} ${plain} 3000)
  set_tests_properties(sc.lockstep.${plain} PROPERTIES LABELS sc
    ENVIRONMENT SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1)
endforeach()
foreach(l IN LISTS PECOS_SC_POST_LANE_LIST)
  if(NOT l IN_LIST PECOS_POST_LANE_LIST)
    continue()
  endif()
  add_test(NAME sc.lockstep.post_L${l} COMMAND sc_lockstep ${PECOS_SIM_DIR} post_L${l} 3000)
  set_tests_properties(sc.lockstep.post_L${l} PROPERTIES LABELS sc
    ENVIRONMENT SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1)
endforeach()

# The contract of pecos_accel as a driver sees it (tests/sc/sc_accel_errors.cpp): each bad
# descriptor's PECOS_ERR_* code and interrupt, then a good job (the module never stops the
# simulation); the register map's access rules, the interrupt mask, the counters and trace,
# grouped convs, the post-processing modes, the bf16 array. One test per case.
add_executable(sc_accel_errors sc/sc_accel_errors.cpp)
target_link_libraries(sc_accel_errors PRIVATE pecos_accel)
target_compile_options(sc_accel_errors PRIVATE
  -Wall -Wextra -Wshadow $<$<BOOL:${PECOS_WERROR}>:-Werror>)
foreach(c bad_op bad_dtype wrong_dtype wrong_dataflow bad_shape_zero bad_groups bad_pool bad_rq
    no_fit addr_wrap bus_error queue_error_index queue_bus_error overrun
    regs_id regs_access irq_mask counters groups post_modes fp_array)
  add_test(NAME sc.accel.${c} COMMAND sc_accel_errors ${c})
  set_tests_properties(sc.accel.${c} PROPERTIES LABELS sc
    ENVIRONMENT SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1)
endforeach()

# pecos_dram and pecos_bus: data, timing against hand-computed delays, every error response.
add_executable(sc_memory_test sc/sc_memory_test.cpp)
target_link_libraries(sc_memory_test PRIVATE pecos_accel)
target_compile_options(sc_memory_test PRIVATE
  -Wall -Wextra -Wshadow $<$<BOOL:${PECOS_WERROR}>:-Werror>)
add_test(NAME sc.memory_bus_timing_and_errors COMMAND sc_memory_test)
# The example platform (examples/sc_platform) runs its five jobs and checks them.
add_test(NAME sc.example_platform COMMAND sc_platform)
set_tests_properties(sc.memory_bus_timing_and_errors sc.example_platform PROPERTIES LABELS sc
  ENVIRONMENT SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1)
