#!/bin/sh
# eval_check.sh PECOS MODEL_DIR ROWS COLS DATAFLOW OUT_DIR N
# pecos eval on the quantized CNN of scripts/mk_qcnn.py: N random int8 images with random
# labels (numpy, seed 5). Must exit 0 with every image through the RTL, RTL == golden on
# every image, the same accuracy, a confusion matrix that sums to N, cycles and energy per
# image, the RTL share of the MACs 1.
set -e
pecos=$1; q=$2; rows=$3; cols=$4; df=$5; out=$6; n=$7
mkdir -p "$out"
tag=${df}_${rows}x${cols}  # one set of files per test: the eval_check tests run in parallel
x=$out/eval_${tag}_x.npy; y=$out/eval_${tag}_y.npy; json=$out/eval_${tag}.json
rm -f "$json"
/usr/bin/python3 - "$x" "$y" "$n" <<'PY'
import sys
import numpy as np
rs = np.random.RandomState(5)
n = int(sys.argv[3])
np.save(sys.argv[1], rs.randint(-128, 128, size=(n, 1, 8, 8)).astype(np.int8))
np.save(sys.argv[2], rs.randint(0, 10, size=(n,)).astype(np.int32))
PY
"$pecos" eval "$q/model.onnx" --data "$x" --labels "$y" --rows "$rows" --cols "$cols" --dataflow "$df" \
  --require-rtl --json "$json"
jq -e --argjson n "$n" '.pass == true and .images == $n and .classes == 10 and .agreement == 1
  and .disagreements == 0 and .failed_images == 0 and .accuracy.rtl == .accuracy.golden
  and ([.confusion[][]] | add) == $n and .rtl_mac_share == 1 and .golden_only_nodes == 0
  and .per_image.cycles > 0 and .per_image.array_cycles > 0 and .per_image.ppu_cycles > 0
  and .per_image.energy_pj > 0 and .per_image.utilization > 0 and .per_image.utilization <= 1' "$json" >/dev/null
jq -r '"eval: \(.images) images, RTL top-1 \(.accuracy.rtl), agreement \(.agreement), \(.per_image.cycles) cycles/image"' "$json"
