// fma.f: the sources of pecos_fma (the standalone FMA unit), relative to this directory
// (verilator -F rtl/fma.f). Read by sim/fma.cmake and the lint tests (one file name a line;
// // comments).
pecos_fma.sv
