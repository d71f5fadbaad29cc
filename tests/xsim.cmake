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

# The post-processing unit, and the arrays under whole networks: `pecos run --network
# --replay-dump` also records the PPU (DIR/post.replay, dv/tb_replay_post.sv). LeNet-5
# (requantize, ReLU, max pool, fc) and tests/data/net/small.csv, which uses every PPU mode:
# requantize with and without ReLU, a residual add (per-element bias), avg and max pool, a
# standalone ReLU, global average pool; and groups, strides and asymmetric pads on the array.
# The *.tamper tests change one output of a dump: the replay must fail at that step. The
# *_fused tests record the unit on the array's writeback path (--fuse-ppu), fed a vector
# as each output leaves the array; in lenet5_fused_pool it also pools, its windows framed
# by the order the conv's pixels leave the array.
set(_xn ${T}/xsim_net.sh)
set(_small ${CMAKE_CURRENT_SOURCE_DIR}/data/net/small.csv)
set(_lenet_csv ${CMAKE_SOURCE_DIR}/models/networks/lenet5.csv)
set(_xsim_net "")
# variant | rows | cols | dataflow | network | what | test name
foreach(cfg
    "ws_int8_4x4|4|4|ws|${_lenet_csv}|post|xsim.post.L4.lenet5"
    "ws_int8_4x4|4|4|ws|${_small}|post|xsim.post.L4.all_modes"
    "ws_int8_8x8|8|8|ws|${_small}|post|xsim.post.L8.all_modes"
    "ws_int8_16x16|16|16|ws|${_lenet_csv}|post|xsim.post.L16.lenet5"
    "ws_int8_4x4|4|4|ws|${_small}|array|xsim.ws.4x4.int8.network"
    "ws_int8_4x4|4|4|is|${_small}|array|xsim.is.4x4.int8.network"
    "os_int8_4x4|4|4|os|${_small}|array|xsim.os.4x4.int8.network"
    "ws_int8_4x4|4|4|ws|${_small}|post-tamper|xsim.tamper.post"
    "ws_int8_4x4|4|4|ws|${_small}|array-tamper|xsim.tamper.ws"
    "os_int8_4x4|4|4|os|${_small}|array-tamper|xsim.tamper.os"
    "ws_int8_4x4|4|4|ws|${_small}|post|xsim.post.L4.all_modes_fused"
    "ws_int8_4x4|4|4|ws|${_lenet_csv}|post|xsim.post.L4.lenet5_fused_pool"
    "os_int8_4x4|4|4|os|${_small}|post|xsim.post.L4.all_modes_fused_os")
  string(REPLACE "|" ";" cfg "${cfg}")
  list(GET cfg 0 v)
  if(NOT v IN_LIST PECOS_VARIANT_LIST)
    continue()
  endif()
  list(GET cfg 1 rows)
  list(GET cfg 2 cols)
  list(GET cfg 3 df)
  list(GET cfg 4 net)
  list(GET cfg 5 what)
  list(GET cfg 6 name)
  add_test(NAME ${name} COMMAND sh ${_xn} ${PECOS_BIN} ${CMAKE_SOURCE_DIR}
    ${CMAKE_CURRENT_BINARY_DIR}/xsim/${name} ${rows} ${cols} ${df} ${net} ${what})
  set_tests_properties(${name} PROPERTIES LABELS xsim)
  if(name MATCHES "_fused") # the unit on the array's writeback path (--fuse-ppu)
    set_tests_properties(${name} PROPERTIES ENVIRONMENT "EXTRA=--fuse-ppu")
  endif()
endforeach()
