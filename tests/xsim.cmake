# tests/xsim.cmake - a second simulator on the same workloads (label xsim): `pecos run
# --replay-dump` records every cycle's lanes in and out of the verilated model, and Icarus
# (4-state) replays the dump against the same RTL (dv/replay.sh, dv/tb_replay_{ws,os}.sv):
# identical outputs in identical cycles, no X/Z on an output. On the small variants of
# PECOS_VARIANT_LIST (rows and cols <= 8: Icarus is slow). Included by tests/CMakeLists.txt.
set(_lenet "conv,h=32,w=32,c=1,k=6,r=5,s=5,name=lenet_conv1"
  "conv,h=14,w=14,c=6,k=16,r=5,s=5,name=lenet_conv2" "fc,c=400,k=120,name=lenet_fc1"
  "fc,c=120,k=84,name=lenet_fc2" "fc,c=84,k=10,name=lenet_fc3")
# Constrained-random shapes, fixed here so that a failure re-runs as it was: odd sizes,
# strides, pads, k and c not multiples of the array.
set(_random "conv,h=7,w=6,c=5,k=7,r=3,s=3,stride=2,pad=1" "conv,h=5,w=9,c=3,k=11,r=1,s=1"
  "conv,h=9,w=8,c=2,k=5,r=5,s=5,pad=2" "fc,c=37,k=13")
foreach(v IN LISTS PECOS_VARIANT_LIST)
  if(NOT v MATCHES "^(ws|os)_([a-z0-9]+)_([0-9]+)x([0-9]+)$")
    continue()
  endif()
  set(arr ${CMAKE_MATCH_1})
  set(dt ${CMAKE_MATCH_2})
  set(rows ${CMAKE_MATCH_3})
  set(cols ${CMAKE_MATCH_4})
  if(rows GREATER 8 OR cols GREATER 8)
    continue()
  endif()
  set(dfs ${arr})
  if(arr STREQUAL "ws")
    set(dfs ws is)
  endif()
  foreach(df IN LISTS dfs)
    set(pre xsim.${df}.${rows}x${cols}.${dt})
    # Icarus is slow (4x4 int8 LeNet-5: ~1 min; bf16: >10 min): the LeNet-5 replays are
    # also labelled slow, the default suite replays the random shapes (fp: one small one).
    if(dt STREQUAL "int8")
      set(lenet ${_lenet})
      set(shapes ${_random})
    else()
      # fp: the conv layers (the fc layers replay the same lanes, only longer)
      list(SUBLIST _lenet 0 2 lenet)
      set(shapes "conv,h=5,w=4,c=3,k=5,r=3,s=3,pad=1")
    endif()
    add_test(NAME ${pre}.lenet5
      COMMAND sh ${T}/xsim_check.sh ${PECOS_BIN} ${CMAKE_SOURCE_DIR}
        ${CMAKE_CURRENT_BINARY_DIR}/xsim/${pre}.lenet5 ${rows} ${cols} ${df} ${dt} ${lenet})
    add_test(NAME ${pre}.random_shapes
      COMMAND sh ${T}/xsim_check.sh ${PECOS_BIN} ${CMAKE_SOURCE_DIR}
        ${CMAKE_CURRENT_BINARY_DIR}/xsim/${pre}.random ${rows} ${cols} ${df} ${dt} ${shapes})
    set_tests_properties(${pre}.lenet5 PROPERTIES LABELS "xsim;slow")
    set_tests_properties(${pre}.random_shapes PROPERTIES LABELS xsim)
  endforeach()
endforeach()
