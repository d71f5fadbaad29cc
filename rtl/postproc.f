// postproc.f: the sources of pecos_postproc (the post-processing unit), in compile order,
// relative to this directory (verilator -F rtl/postproc.f); the package first. Read by
// sim/post.cmake, the lint tests, dv/ and scripts/ (one file name a line; // comments).
pecos_postproc_pkg.sv
pecos_delay.sv
pecos_requant.sv
pecos_pool.sv
pecos_postproc.sv
