# --- regress: `pecos regress` sweeps (docs/REGRESS.md) -------------------------------------
# Local engine, reports, interrupt/resume, crashes; a real single-node Slurm cluster (label
# slurm); the HTML report in a headless browser. The 40-job acceptance sweep runs through the
# Slurm and local engines in regress.accept_40_slurm_vs_local.
set(RG ${CMAKE_CURRENT_SOURCE_DIR}/regress_check.sh)
set(RGD ${CMAKE_CURRENT_SOURCE_DIR}/data/regress)
set(RGO ${CMAKE_CURRENT_BINARY_DIR}/regress)
foreach(m local interrupt crash ids networks)
  add_test(NAME regress.${m} COMMAND sh ${RG} ${m} ${PECOS_BIN} ${CMAKE_SOURCE_DIR} ${RGO})
  set_tests_properties(regress.${m} PROPERTIES LABELS "regress;cli" TIMEOUT 900)
endforeach()
set_tests_properties(regress.local PROPERTIES FIXTURES_SETUP regress_small)
add_test(NAME regress.onnx COMMAND sh ${RG} onnx ${PECOS_BIN} ${CMAKE_SOURCE_DIR} ${RGO}
  ${CMAKE_CURRENT_BINARY_DIR}/qcnn/model.onnx)
set_tests_properties(regress.onnx PROPERTIES LABELS "regress;onnx" FIXTURES_REQUIRED onnx_qcnn TIMEOUT 900)
add_test(NAME regress.html_in_chromium
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/regress_html.sh ${RGO}/small ${RGO}/html)
set_tests_properties(regress.html_in_chromium PROPERTIES LABELS regress FIXTURES_REQUIRED regress_small
  TIMEOUT 300)

set(RS ${CMAKE_CURRENT_SOURCE_DIR}/regress_slurm.sh)
add_test(NAME slurm.small_slurm_vs_local
  COMMAND sh ${RS} compare ${PECOS_BIN} ${CMAKE_SOURCE_DIR} ${RGO}/slurm ${RGD}/small.json)
add_test(NAME slurm.node_failure_retried
  COMMAND sh ${RS} retry ${PECOS_BIN} ${CMAKE_SOURCE_DIR} ${RGO}/slurm ${RGD}/retry.json)
add_test(NAME slurm.small_chunks_of_3
  COMMAND sh ${RS} compare ${PECOS_BIN} ${CMAKE_SOURCE_DIR} ${RGO}/slurm ${RGD}/small.json 3)
add_test(NAME slurm.accept_40_slurm_vs_local
  COMMAND sh ${RS} compare ${PECOS_BIN} ${CMAKE_SOURCE_DIR} ${RGO}/slurm ${RGD}/lenet5_accept.json)
# Each brings up its own cluster on free ports; RUN_SERIAL keeps two clusters and their
# sweeps from sharing the two cores at once.
set_tests_properties(slurm.small_slurm_vs_local slurm.small_chunks_of_3 slurm.node_failure_retried slurm.accept_40_slurm_vs_local
  PROPERTIES LABELS "slurm;regress" TIMEOUT 1200 RUN_SERIAL TRUE)

# Bad specs: one line naming the file and the key, exit 2.
set(RB ${CMAKE_CURRENT_BINARY_DIR}/regress_bad)
file(MAKE_DIRECTORY ${RB})
file(WRITE ${RB}/not_json.json "{\"variants\": [\"4x4\"],\n \"layers\": [\"fc,c=4,k=4\"\n")
file(WRITE ${RB}/unknown_key.json "{\"variants\": [\"4x4\"], \"layers\": [\"fc,c=4,k=4\"], \"seed\": [1]}")
file(WRITE ${RB}/all_excluded.json "{\"variants\": [\"4x4\"], \"layers\": [\"fc,c=4,k=4\"], \"exclude\": [{\"variant\": \"4x4\"}]}")
file(WRITE ${RB}/fault_nowhere.json "{\"variants\": [\"4x4\"], \"layers\": [\"fc,c=4,k=4\"], \"inject_fault\": [{\"dataflow\": \"os\", \"cycle\": 5}]}")
file(WRITE ${RB}/no_network.json "{\"variants\": [\"4x4\"], \"networks\": [\"nope.csv\"]}")
file(WRITE ${RB}/bad_variant.json "{\"variants\": [\"4x0\"], \"layers\": [\"fc,c=4,k=4\"]}")
file(WRITE ${RB}/not_built.json "{\"variants\": [\"3x5\"], \"layers\": [\"fc,c=4,k=4\"]}")
file(WRITE ${RB}/bad_dtype.json "{\"variants\": [\"4x4\"], \"dtypes\": [\"int4\"], \"layers\": [\"fc,c=4,k=4\"]}")
file(WRITE ${RB}/dup_names.json "{\"variants\": [\"4x4\"], \"layers\": [\"fc,c=4,k=4,name=a\", \"fc,c=8,k=4,name=a\"]}")
# (found by fuzz.regress_parser: a repeated memory name gave two jobs the same id)
file(WRITE ${RB}/dup_memory.json "{\"variants\": [\"4x4\"], \"layers\": [\"fc,c=4,k=4\"], \"memory\": {\"m\": [], \"m\": [\"--dram-bw\", \"8\"]}}")
pecos_bad(regress_not_json 2 "not_json.json:3: not valid JSON" pecos regress ${RB}/not_json.json --list)
pecos_bad(regress_unknown_key 2 "unknown_key.json: unknown key \"seed\"" pecos regress ${RB}/unknown_key.json --list)
pecos_bad(regress_empty_expansion 2 "all_excluded.json: the spec expands to no job" pecos regress ${RB}/all_excluded.json)
pecos_bad(regress_fault_matches_nothing 2 "\"inject_fault\"\\[0\\] matches no job" pecos regress ${RB}/fault_nowhere.json --list)
pecos_bad(regress_missing_network 2 "no_network.json: networks 'nope.csv': No such file" pecos regress ${RB}/no_network.json --list)
pecos_bad(regress_bad_variant 2 "\"variants\"\\[0\\] '4x0': must be ROWSxCOLS" pecos regress ${RB}/bad_variant.json --list)
pecos_bad(regress_variant_not_built 2 "needs 1 array variant not built .*ws_int8_3x5" pecos regress ${RB}/not_built.json --dir ${RB}/nb)
pecos_bad(regress_bad_dtype 2 "\"dtypes\"\\[0\\] 'int4'" pecos regress ${RB}/bad_dtype.json --list)
pecos_bad(regress_duplicate_workload 2 "two workloads are named 'a'" pecos regress ${RB}/dup_names.json --list)
pecos_bad(regress_duplicate_memory 2 "\"memory\": 'm' is given twice" pecos regress ${RB}/dup_memory.json --list)
pecos_bad(regress_no_spec 2 "no spec given" pecos regress)
pecos_bad(regress_missing_spec 2 "nope.json: cannot read" pecos regress ${RB}/nope.json)
pecos_bad(regress_j_with_slurm 2 "-j is for the local engine" pecos regress ${RGD}/small.json --slurm -j 2)
pecos_bad(regress_chunk_without_slurm 2 "--chunk and --build-dir go with --slurm" pecos regress ${RGD}/small.json --chunk 2)
pecos_bad(regress_bad_chunk 2 "--chunk 0: must be 1..4096" pecos regress ${RGD}/small.json --slurm --chunk 0)

# SCALE-Sim's own topology files (copies in data/scalesim/): independent layers.
set(SS ${CMAKE_CURRENT_SOURCE_DIR}/data/scalesim)
set(SSO ${CMAKE_CURRENT_BINARY_DIR}/scalesim)
file(MAKE_DIRECTORY ${SSO})
# AlexNet as SCALE-Sim ships it: 5 independent convs (~40 s on a loaded 2-core machine).
add_test(NAME net.scalesim_alexnet_independent_layers
  COMMAND sh -c "${PECOS_BIN} run --network ${SS}/alexnet.csv --rows 16 --cols 16 --json ${SSO}/alexnet.json >/dev/null 2>${SSO}/alexnet.err; rc=$?; cat ${SSO}/alexnet.err; [ $rc -eq 0 ] && [ $(wc -l < ${SSO}/alexnet.err) -eq 1 ] && grep -q 'SCALE-Sim topology whose rows do not chain (layer .Conv2.: input .Conv1. is 96x54x54 (CxHxW), but the row reads 96x27x27): running its 5 rows as independent layers' ${SSO}/alexnet.err && jq -e '.pass and (.layers|length)==5 and ([.layers[]|select(.check==\"pass\")]|length)==5 and .layers[0].name==\"Conv1\" and .layers[0].shape.p==54' ${SSO}/alexnet.json")
set_tests_properties(net.scalesim_alexnet_independent_layers PROPERTIES LABELS "net;slow")
# The same path in the default suite, on a small file in SCALE-Sim's columns whose rows do
# not chain (refused before: analyze.cmake had it as a bad chain).
add_test(NAME net.scalesim_style_independent_layers
  COMMAND sh -c "${PECOS_BIN} run --network ${CMAKE_CURRENT_SOURCE_DIR}/data/topo_bad_chain.csv --rows 4 --cols 4 --dataflow os --json ${SSO}/chain.json >/dev/null 2>${SSO}/chain.err; rc=$?; cat ${SSO}/chain.err; [ $rc -eq 0 ] && grep -q 'running its 2 rows as independent layers' ${SSO}/chain.err && jq -e '.pass and (.layers|length)==2 and .layers[1].shape.h==5 and .layers[1].shape.w==6' ${SSO}/chain.json")
# compare-dataflows cannot run a network: a SCALE-Sim file is taken as independent layers
# there even when its rows chain (SCALE-Sim's test.csv has one row).
add_test(NAME net.scalesim_compare_dataflows
  COMMAND sh -c "${PECOS_BIN} compare-dataflows --network ${SS}/test.csv --rows 8 --cols 8 --json ${SSO}/cmp.json >/dev/null 2>${SSO}/cmp.err && grep -q 'running its 1 rows as independent layers' ${SSO}/cmp.err && jq -e '.pass and (.dataflows|keys)==[\"is\",\"os\",\"ws\"]' ${SSO}/cmp.json")
add_test(NAME net.scalesim_analyze_resnet50_alexnet
  COMMAND sh -c "${PECOS_BIN} analyze ${SS}/Resnet50.csv --json ${SSO}/r50.json >/dev/null 2>${SSO}/r50.err && grep -q 'analyzing its 54 rows as independent layers' ${SSO}/r50.err && jq -e '(.layers|length)==54' ${SSO}/r50.json && ${PECOS_BIN} analyze ${SS}/alexnet.csv --json ${SSO}/ax.json >/dev/null 2>${SSO}/ax.err && grep -q 'analyzing its 5 rows as independent layers' ${SSO}/ax.err && jq -e '(.layers|length)==5' ${SSO}/ax.json")
set_tests_properties(net.scalesim_style_independent_layers net.scalesim_compare_dataflows
  net.scalesim_analyze_resnet50_alexnet PROPERTIES LABELS "net;regress")

# --build-dir: a cold build of a variant that the default set lacks (2x3) in a fresh build
# directory, then the sweep on Slurm with that pecos (minutes: slow).
add_test(NAME slurm.build_dir_variants
  COMMAND sh ${RS} build ${PECOS_BIN} ${CMAKE_SOURCE_DIR} ${RGO}/slurm ${RGD}/build_dir.json)
set_tests_properties(slurm.build_dir_variants PROPERTIES LABELS "slurm;regress;slow" TIMEOUT 1800 RUN_SERIAL TRUE)
