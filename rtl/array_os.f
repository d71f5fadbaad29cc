// array_os.f: the sources of pecos_array_os (the OS array), in compile order, relative to
// this directory (verilator -F rtl/array_os.f). Read by cmake/variant.cmake, the lint tests,
// dv/ and scripts/ (one file name a line; lines starting with // are comments).
pecos_delay.sv
pecos_mac.sv
pecos_fma.sv
pecos_pe_os.sv
pecos_perf_ctr.sv
pecos_array_os.sv
