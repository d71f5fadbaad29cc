# tests/sc_same.cmake - pecos run --backend sc against --backend c (issue #15): the same
# layers, networks and ONNX model give identical reports (tests/sc/sc_same.sh: JSON without
# wall-clock fields, stdout, stderr, exit status), over the dataflows, dtypes and memory
# configurations. Only with PECOS_HAVE_SC (pecos-sc is built). Label sc.
if(NOT PECOS_HAVE_SC)
  return()
endif()

set(_scd ${CMAKE_CURRENT_BINARY_DIR}/sc_same)
set(_conv conv,h=9,w=9,c=20,k=12,r=3,s=3,pad=1,name=c3)
set(_fc fc,c=70,k=19,name=fc)
set(_geo conv,h=11,w=9,c=3,k=5,r=3,s=3,dil_h=2,dil_w=3,stride_h=2,stride_w=1,pad_t=2,pad_l=0,pad_b=1,pad_r=3,pad_value=-5,name=geo)
set(_bounded --dram-bw 4 --dram-latency 50 --glb-kib 4)
# pecos_sc_same(NAME EXIT ARGS...): one comparison, sc.same.NAME
function(pecos_sc_same name want)
  add_test(NAME sc.same.${name}
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/sc/sc_same.sh $<TARGET_FILE:pecos> ${_scd}/${name} ${want} ${ARGN})
  set_tests_properties(sc.same.${name} PROPERTIES LABELS sc)
endfunction()

# Every dataflow, unbounded memory (cycles exact) and bounded (DMA, stalls by cause)
foreach(df ws is os)
  pecos_sc_same(${df}_int8_4x4 0 --rows 4 --cols 4 --seed 7 --dataflow ${df} --layer ${_conv} --layer ${_fc})
  pecos_sc_same(${df}_int8_4x4_bounded 0 --rows 4 --cols 4 --seed 8 --dataflow ${df} ${_bounded} --layer ${_conv} --layer ${_fc})
  pecos_sc_same(${df}_int8_4x4_geometry 0 --rows 4 --cols 4 --seed 9 --dataflow ${df} --layer ${_geo})
  pecos_sc_same(${df}_bf16_4x4 0 --rows 4 --cols 4 --seed 10 --dtype bf16 --dataflow ${df} --layer ${_conv} --layer ${_fc})
  pecos_sc_same(${df}_bf16_4x4_bounded 0 --rows 4 --cols 4 --seed 11 --dtype bf16 --dataflow ${df} --dram-bw 4 --dram-latency 50 --glb-kib 8 --layer ${_conv})
  pecos_sc_same(${df}_int8_4x4_network 0 --rows 4 --cols 4 --seed 12 --dataflow ${df} --dram-bw 8 --dram-latency 20 --network ${CMAKE_CURRENT_SOURCE_DIR}/data/net/small.csv)
endforeach()
# Memory configurations: separate partitions, one psum port, bursts, a forced tiling, latency
# without a bandwidth limit
pecos_sc_same(ws_int8_4x4_separate_glb 0 --rows 4 --cols 4 --seed 13 --dram-bw 8 --dram-latency 20 --glb-ifmap-kib 1 --glb-weight-kib 1 --glb-psum-kib 1 --layer ${_conv})
pecos_sc_same(is_int8_4x4_psum_port 0 --rows 4 --cols 4 --seed 14 --dataflow is --glb-psum-ports 1 ${_bounded} --layer ${_conv} --layer ${_fc})
pecos_sc_same(ws_int8_4x4_burst32 0 --rows 4 --cols 4 --seed 15 --dram-bw 2 --dram-latency 7 --dram-burst 32 --glb-kib 2 --layer ${_conv})
pecos_sc_same(ws_int8_4x4_forced_tile 0 --rows 4 --cols 4 --seed 16 ${_bounded} --tile k=4,c=8,p=3,order=cpk --layer ${_conv})
pecos_sc_same(ws_int8_4x4_batch 0 --rows 4 --cols 4 --seed 18 --batch 5 ${_bounded} --layer ${_fc} --layer conv,h=3,w=4,c=9,k=6,r=1,s=1,name=pw)
pecos_sc_same(os_int8_4x4_latency_only 0 --rows 4 --cols 4 --seed 17 --dataflow os --dram-latency 100 --layer ${_conv} --layer ${_fc})
# Constrained-random shapes: eight layers a run, seeded
foreach(df ws os)
  set(_rnd)
  foreach(i RANGE 1 8)
    math(EXPR c "(${i} * 7) % 19 + 1")
    math(EXPR k "(${i} * 5) % 13 + 1")
    math(EXPR h "(${i} * 3) % 9 + 3")
    math(EXPR r "${i} % 3 + 1")
    math(EXPR st "${i} % 2 + 1")
    math(EXPR pad "${i} % 2")
    list(APPEND _rnd --layer conv,h=${h},w=${h},c=${c},k=${k},r=${r},s=${r},stride=${st},pad=${pad})
  endforeach()
  pecos_sc_same(${df}_int8_4x4_random_shapes 0 --rows 4 --cols 4 --seed 18 --dataflow ${df} ${_rnd})
  pecos_sc_same(${df}_int8_4x4_random_shapes_bounded 0 --rows 4 --cols 4 --seed 19 --dataflow ${df} --dram-bw 3 --dram-latency 30 --glb-kib 4 ${_rnd})
endforeach()
# A failed check (the checker's self-test) fails the same way, on the same cycle
pecos_sc_same(ws_int8_4x4_injected_fault 1 --rows 4 --cols 4 --seed 3 --layer ${_conv} --inject-fault 100)
# The acceptance layer (16x16, 16 B/cycle, 256 KiB) and LeNet-5 as the main job runs it
pecos_sc_same(ws_int8_16x16_acceptance_conv 0 --rows 16 --cols 16 --dram-bw 16 --glb-kib 256 --layer conv,h=15,w=15,c=256,k=384,r=3,s=3)
pecos_sc_same(ws_int8_16x16_lenet5 0 --rows 16 --cols 16 --seed 1 --dram-bw 16 --dram-latency 100 --glb-kib 256 --network ${CMAKE_SOURCE_DIR}/models/networks/lenet5.csv)
# The quantized ONNX CNN (scripts/mk_qcnn.py): conv/matmul on the array, QLinear* on the PPU
pecos_sc_same(ws_int8_4x4_onnx_qcnn 0 --rows 4 --cols 4 --require-rtl --onnx ${CMAKE_CURRENT_BINARY_DIR}/qcnn/model.onnx)
set_tests_properties(sc.same.ws_int8_4x4_onnx_qcnn PROPERTIES FIXTURES_REQUIRED onnx_qcnn)
# pecos run --backend sc: what it refuses (waveforms and replay dumps come from --backend c)
add_test(NAME sc.cli_refuses_wave
  COMMAND sh -c "$<TARGET_FILE:pecos> run --backend sc --rows 4 --cols 4 --layer ${_conv} --wave ${_scd}/x.fst 2>${_scd}/wave.err; rc=$?; cat ${_scd}/wave.err; [ $rc -eq 2 ] && grep -q -- '--backend sc: --wave needs --backend c' ${_scd}/wave.err")
set_tests_properties(sc.cli_refuses_wave PROPERTIES LABELS sc)
# A model that is not built, with --no-build: one line naming it, exit 2
add_test(NAME sc.cli_no_build_missing_model
  COMMAND sh -c "$<TARGET_FILE:pecos> run --backend sc --no-build --rows 3 --cols 5 --layer ${_conv} 2>${_scd}/nb.err; rc=$?; cat ${_scd}/nb.err; [ $rc -eq 2 ] && [ $(wc -l < ${_scd}/nb.err) -eq 1 ] && grep -q 'pecos run: --backend sc: pecos_accel: no simulation model for dataflow ws, dtype int8, 3x5 array' ${_scd}/nb.err")
set_tests_properties(sc.cli_no_build_missing_model PROPERTIES LABELS sc)
