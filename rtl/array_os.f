// array_os.f: the sources of pecos_array_os (the OS array), in compile order, relative to
// this directory (verilator -F rtl/array_os.f). Read by cmake/variant.cmake, the lint tests,
// dv/ and scripts/ (one file name a line; lines starting with // are comments). The array
// includes pecos_fma_fn.svh, pecos_mac_fn.svh and pecos_assert.svh from this directory.
pecos_delay.sv
pecos_perf_ctr.sv
pecos_array_os.sv
