# --- net: whole networks through the RTL (pecos run --network), and their bad inputs ------
set(N ${CMAKE_CURRENT_SOURCE_DIR}/net_check.sh)
set(NB ${CMAKE_CURRENT_BINARY_DIR})
# name | network | rows | cols | labels (+ between) | extra options (, between)
set(PECOS_NET_RUNS
  "lenet5_16x16|lenet5|16|16|net|"
  "lenet5_4x4_os|lenet5|4|4|net|--dataflow,os"
  "lenet5_8x8_is_bounded|lenet5|8|8|net|--dataflow,is,--dram-bw,4,--dram-latency,50,--glb-kib,16"
  "alexnet_16x16|alexnet|16|16|net|"
  "alexnet_16x16_bounded|alexnet|16|16|net+slow|--dram-bw,16,--glb-kib,256"
  "googlenet_16x16|googlenet|16|16|net+slow|"
  "mobilenet_v1_16x16|mobilenet_v1|16|16|net+slow|"
  "resnet50_16x16|resnet50|16|16|net+slow|"
  "vgg16_16x16|vgg16|16|16|net+slow|")
foreach(run IN LISTS PECOS_NET_RUNS)
  string(REPLACE "|" ";" f "${run}")
  list(GET f 0 name)
  list(GET f 1 net)
  list(GET f 2 rows)
  list(GET f 3 cols)
  list(GET f 4 labels)
  string(REPLACE "+" ";" labels "${labels}")
  list(GET f 5 extra)
  string(REPLACE "," ";" extra "${extra}")
  add_test(NAME net.${name} COMMAND sh ${N} ${PECOS_BIN} ${NB} ${net} ${rows} ${cols} ${extra})
  set_tests_properties(net.${name} PROPERTIES LABELS "${labels}")
endforeach()

# Every layer type in one small network: asymmetric padding, depthwise and grouped conv, a
# projection and a residual add, a concat, avg/max pooling with padding, ReLU, GAP, FC.
set(NS ${CMAKE_CURRENT_SOURCE_DIR}/data/net)
foreach(cfg "ws|4|4" "is|4|4" "os|4|4" "ws|8|16")
  string(REPLACE "|" ";" f "${cfg}")
  list(GET f 0 df)
  list(GET f 1 rows)
  list(GET f 2 cols)
  add_test(NAME net.every_layer_type_${df}_${rows}x${cols}
    COMMAND sh -c "${PECOS_BIN} run --network ${NS}/small.csv --rows ${rows} --cols ${cols} --dataflow ${df} --json ${NB}/small_${df}_${rows}x${cols}.json && jq -e '.total.pass and (.layers|length)==12 and ([.layers[]|select(.where==\"ppu\")]|length)==5 and ([.layers[]|select(.where==\"array+ppu\")]|length)==6' ${NB}/small_${df}_${rows}x${cols}.json")
  set_tests_properties(net.every_layer_type_${df}_${rows}x${cols} PROPERTIES LABELS net)
endforeach()

# --jobs: the layers on several processes give the reports of the run in order; a layer that
# cannot run on a worker sends the network back to one process, in order.
add_test(NAME net.jobs_same_reports COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/jobs_check.sh ${PECOS_BIN} ${NB})
set_tests_properties(net.jobs_same_reports PROPERTIES LABELS net)
if("ws_int8_4x4" IN_LIST PECOS_VARIANT_LIST)
  add_test(NAME net.jobs_failing_rtl
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/jobs_fail_check.sh ${PECOS_BIN} ${PECOS_SIM_DIR} ${NB})
  set_tests_properties(net.jobs_failing_rtl PROPERTIES LABELS "net;valid")
endif()

pecos_bad(net_missing_file 2 "--network .*nope.csv" pecos run --network ${NS}/nope.csv)
pecos_bad(net_chain_mismatch 2 "chain_mismatch.csv:3: layer 'conv2'" pecos run --network ${NS}/chain_mismatch.csv)
# The topology's Dilation column runs on the array (the mapper's address pattern).
add_test(NAME net.dilated_on_array
  COMMAND sh -c "${PECOS_BIN} run --network ${NS}/dilated.csv --rows 4 --cols 4 --json ${NB}/dilated.json && jq -e '.total.pass and (.layers|length)==1 and .layers[0].where==\"array+ppu\"' ${NB}/dilated.json")
set_tests_properties(net.dilated_on_array PROPERTIES LABELS net)
pecos_bad(net_pool_window_too_big 2 "gap: a 20x20 pooling window has more than 255 cells" pecos run --network ${NS}/bigpool.csv --rows 4 --cols 4)
pecos_bad(net_fp_dtype 2 "--network runs int8 only" pecos run --network ${NS}/small.csv --dtype bf16)
pecos_bad(net_with_layer 2 "--network and --layer exclude each other" pecos run --network ${NS}/small.csv --layer fc,c=4,k=4)
pecos_bad(net_ifmap_shape 2 "--ifmap .*expected int8 \\[1,3,12,12\\]" pecos run --network ${NS}/small.csv --rows 4 --cols 4 --ifmap ${D}/i8_1x2x5x5.npy)
pecos_bad(net_plot_without_network 2 "--plot goes with --network" pecos run --layer fc,c=4,k=4 --plot /tmp/x)
pecos_bad(csv_with_all_dataflows 2 "--csv needs one --dataflow" pecos compare-dataflows --layer fc,c=4,k=4 --csv /tmp/x.csv)
add_test(NAME cli.layer_csv_report COMMAND sh -c "${PECOS_BIN} run --rows 4 --cols 4 --layer conv,h=6,w=6,c=3,k=5,r=3,s=3,name=a --layer fc,c=20,k=7,name=b --csv ${NB}/layers.csv && test $(wc -l < ${NB}/layers.csv) -eq 3 && grep -q '^1,b,fc,' ${NB}/layers.csv")
set_tests_properties(cli.layer_csv_report PROPERTIES LABELS cli)

# The checker's self-test on a network: one flipped output bit of the array from cycle 300
# on must fail the run (exit 1) with a FAIL line naming the layer, the first mismatch, the
# seed and the re-run command with a waveform window.
add_test(NAME net.injected_fault_fails
  COMMAND sh -c "${PECOS_BIN} run --network ${NS}/small.csv --rows 4 --cols 4 --inject-fault 300 >/dev/null 2>${NB}/net_fault.err; rc=$?; cat ${NB}/net_fault.err; [ $rc -eq 1 ] && grep -q '^FAIL stem: 1 of 1248 outputs differ; first at (k=.*seed 1; cycle' ${NB}/net_fault.err && grep -q 're-run with a waveform:.* run --network .*--wave pecos_fail.fst --wave-from' ${NB}/net_fault.err")
set_tests_properties(net.injected_fault_fails PROPERTIES LABELS net)
