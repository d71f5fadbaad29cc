# --- analyze: topology CSVs (host/net/topo.c), the analyzer and `pecos analyze` -------------------
# Included from tests/CMakeLists.txt. Label: unit.
pecos_c_test(test_topo test_topo.c)
add_test(NAME unit.topo_loader_and_analyzer COMMAND test_topo ${CMAKE_SOURCE_DIR})
set_tests_properties(unit.topo_loader_and_analyzer PROPERTIES LABELS unit)

set(_an_nets ${CMAKE_SOURCE_DIR}/models/networks)
set(_an_data ${CMAKE_CURRENT_SOURCE_DIR}/data)
set(_an_out ${CMAKE_CURRENT_BINARY_DIR}/analyze)
file(MAKE_DIRECTORY ${_an_out})
function(pecos_analyze_test name csv expr)
  add_test(NAME unit.analyze.${name}
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/analyze_check.sh ${PECOS_BIN} ${_an_out} ${csv} "${expr}" ${ARGN})
  set_tests_properties(unit.analyze.${name} PROPERTIES LABELS unit)
endfunction()

# Exact totals (hand-derivable; docs/NETWORKS.md compares them with the seeds' table).
# name | MACs | weights | conv MACs | conv weights | fc MACs = fc weights | conv layers | fc layers
foreach(spec
    "lenet5|416520|61470|357600|2550|58920|2|3"
    "alexnet|724406816|60954656|665784864|2332704|58621952|5|3"
    "vgg16|15470264320|138344128|15346630656|14710464|123633664|13|3"
    "googlenet|1582671872|6990272|1581647872|5966272|1024000|57|1"
    "resnet50|3857973248|25502912|3855925248|23454912|2048000|53|1"
    "mobilenet_v1|568740352|4209088|567716352|3185088|1024000|27|1")
  string(REPLACE "|" ";" f "${spec}")
  list(GET f 0 n)
  list(GET f 1 macs)
  list(GET f 2 wts)
  list(GET f 3 cmacs)
  list(GET f 4 cwts)
  list(GET f 5 fc)
  list(GET f 6 nconv)
  list(GET f 7 nfc)
  pecos_analyze_test(${n}_totals ${_an_nets}/${n}.csv
    ".total | .macs == ${macs} and .weights == ${wts} and .conv_macs == ${cmacs} and .conv_weights == ${cwts} and .fc_macs == ${fc} and .fc_weights == ${fc} and .conv_layers == ${nconv} and .fc_layers == ${nfc} and .flops >= 2 * .macs")
endforeach()
# The seeds' GoogLeNet figure (1.43G MACs) is this floor-mode-pooling variant.
pecos_analyze_test(googlenet_floor_pool_totals ${_an_data}/googlenet_floor_pool.csv
  ".total | .macs == 1431556352 and .conv_macs == 1430532352 and .weights == 6990272")
# Batch and dtype scale activations only: AlexNet fp16 batch 4.
pecos_analyze_test(alexnet_fp16_batch4 ${_an_nets}/alexnet.csv
  ".total.macs == 4 * 724406816 and .total.weights == 60954656 and .config.elem_bytes == 2 and (.layers[0] | .bytes == 2 * (4 * 3 * 227 * 227 + 34848 + 4 * 96 * 55 * 55) and .bound == \"compute\")"
  --dtype fp16 --batch 4)

# The seeds' arithmetic-intensity examples (003_*: fp16, V100-like ridge).
pecos_analyze_test(intensity_fc_batch512 ${_an_data}/analyze_fc_4096x1024.csv
  ".layers[0] | .flops == 4294967296 and .bytes == 13631488 and .intensity > 314.5 and .intensity < 315.5 and .bound == \"compute\""
  --dtype fp16 --batch 512 --peak-macs 1024 --bw 16)
pecos_analyze_test(intensity_fc_batch1 ${_an_data}/analyze_fc_4096x1024.csv
  ".layers[0] | .flops == 8388608 and .bytes == 8398848 and .intensity > 0.99 and .intensity < 1.01 and .bound == \"memory\""
  --dtype fp16 --batch 1 --peak-macs 1024 --bw 16)
pecos_analyze_test(intensity_relu ${_an_data}/analyze_relu.csv
  ".layers[0] | .intensity == 0.25 and .flops == 200704 and .bytes == 802816 and .bound == \"memory\""
  --dtype fp16)
pecos_analyze_test(intensity_maxpool_3x3_s1 ${_an_data}/analyze_maxpool3x3.csv
  ".layers[0] | .intensity == 2.25 and .flops == 1806336 and .bytes == 802816 and .p == 56 and .bound == \"memory\""
  --dtype fp16)
# Roofline with the defaults (int8, 256 MACs/cycle, 16 B/cycle): fc 1024->4096 is
# memory-bound, 4199424 B / 16 = 262464 cycles.
pecos_analyze_test(roofline_defaults ${_an_data}/analyze_fc_4096x1024.csv
  ".config.ridge == 32 and (.layers[0] | .cycles == 262464 and .memory_cycles == 262464 and .compute_cycles == 16384)")

# Bad input: exit 2, one line naming the file, line and column.
function(pecos_analyze_bad name regex)
  add_test(NAME unit.analyze.bad.${name}
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/expect_exit.sh 2 "${regex}" ${PECOS_BIN} analyze ${ARGN})
  set_tests_properties(unit.analyze.bad.${name} PROPERTIES LABELS unit)
endfunction()
set(B ${_an_data}/topo_bad)
pecos_analyze_bad(missing_file "/nonexistent/net.csv: cannot read" /nonexistent/net.csv)
pecos_analyze_bad(empty_file "topo_bad_empty.csv: empty file" ${B}_empty.csv)
pecos_analyze_bad(header "topo_bad_header.csv:1: bad header: column 1 is 'Layer'" ${B}_header.csv)
pecos_analyze_bad(column_count "topo_bad_columns.csv:2: 7 fields, expected 8" ${B}_columns.csv)
pecos_analyze_bad(not_a_number "topo_bad_number.csv:2: column 'Filter Width': 'x3' is not a whole number" ${B}_number.csv)
pecos_analyze_bad(out_of_range "topo_bad_range.csv:2: column 'Num Filter': 0 is out of range" ${B}_range.csv)
pecos_analyze_bad(unknown_type "topo_bad_type.csv:2: column 'Type': unknown type 'softmax'" ${B}_type.csv)
pecos_analyze_bad(unknown_input "topo_bad_input_name.csv:3: layer 'c2': column 'Inputs': unknown input name 'c9'" ${B}_input_name.csv)
pecos_analyze_bad(duplicate_name "topo_bad_duplicate.csv:3: layer 'c1': duplicate name \\(first on line 2\\)" ${B}_duplicate.csv)
pecos_analyze_bad(groups "topo_bad_groups.csv:2: layer 'c1': 'Channels' 6 and 'Num Filter' 4 must both be divisible by 'Groups' 4" ${B}_groups.csv)
pecos_analyze_bad(output_size "topo_bad_output.csv:2: layer 'c1': output size < 1" ${B}_output.csv)
# A file with pecos's own columns must chain; one with SCALE-Sim's columns only may list
# independent layers (topo_bad_chain.csv: tests/regress.cmake, net.scalesim_*).
pecos_analyze_bad(chain "chain_mismatch.csv:3: layer 'conv2': input 'conv1' is 4x16x16 \\(CxHxW\\), but the row reads 5x16x16" ${_an_data}/net/chain_mismatch.csv)
pecos_analyze_bad(add_inputs "topo_bad_add_inputs.csv:4: layer 'sum': add takes exactly 2 inputs, got 3" ${B}_add_inputs.csv)
pecos_analyze_bad(no_file "no NETWORK.csv given")
pecos_analyze_bad(bad_dtype "--dtype fp64: must be int8, fp16, bf16 or fp32" ${_an_nets}/lenet5.csv --dtype fp64)
pecos_analyze_bad(bad_batch "--batch 0: must be a whole number" ${_an_nets}/lenet5.csv --batch 0)
pecos_analyze_bad(bad_bw "--bw 1x: must be a whole number" ${_an_nets}/lenet5.csv --bw 1x)
pecos_analyze_bad(unknown_option "unknown option --frob" ${_an_nets}/lenet5.csv --frob 1)
pecos_analyze_bad(json_unwritable "--json /nonexistent/dir/a.json: cannot write" ${_an_nets}/lenet5.csv --json /nonexistent/dir/a.json)
