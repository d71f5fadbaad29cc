#!/bin/sh
# onnx_bad_fixtures.sh TESTDATA OUT: builds ONNX test-case directories with broken files
# under OUT/onnx_bad for the cli.bad.onnx_* tests (each differs from a good case of
# libonnx-testdata by one file).
set -e
td=$1; out=$2/onnx_bad
rm -rf "$out"; mkdir -p "$out"
good=$td/node/test_basic_convinteger
mk() { mkdir -p "$out/$1"; cp -r "$good/model.onnx" "$good/test_data_set_0" "$out/$1/"; }
# model.onnx cut in the middle of the graph
mk trunc_model; head -c 100 "$good/model.onnx" >"$out/trunc_model/model.onnx"
# input_0.pb cut inside its raw_data
mk trunc_input; head -c 12 "$good/test_data_set_0/input_0.pb" >"$out/trunc_input/test_data_set_0/input_0.pb"
# output_0.pb overwritten with bytes that are no protobuf (field 0, bad wire types)
mk corrupt_output; printf '\377\377\377\377\377\377\377' >"$out/corrupt_output/test_data_set_0/output_0.pb"
# a well-formed TensorProto whose raw_data (4 bytes) does not match its dims [2] float
mk short_raw; printf '\010\002\020\001\112\004\000\000\200\077' >"$out/short_raw/test_data_set_0/input_0.pb"
# a well-formed TensorProto of dtype 17 (not supported)
mk bad_dtype; printf '\010\001\020\021\112\001\000' >"$out/bad_dtype/test_data_set_0/input_0.pb"
# model.onnx that is a text file
mk text_model; echo "this is not an onnx model" >"$out/text_model/model.onnx"
# a wrong expected output (int32 [1,1,2,2], all zeros): a FAIL, exit 1
mk wrong_output; printf '\010\001\010\001\010\002\010\002\020\006\112\020\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000' \
  >"$out/wrong_output/test_data_set_0/output_0.pb"
echo "fixtures in $out"
