// pecos_postproc_pkg: the one declaration of the post-processing unit's latency.
//
// Lat is the LAT of pecos_postproc's timing contract (= pecos_requant's 4 stages + pecos_pool's
// Latency 6 - 1): a window's result leaves Lat edges after the edge that took its last beat.
// pecos_postproc uses it for its latency assertion; the verilated model carries it as the
// constant Vpecos_postproc_pecos_postproc_pkg::Lat (public), which vpost_latency() returns
// (sim/vpost.cpp). A package, not a module parameter: nothing configures it, and making the
// module's own localparam public would keep Verilator from inlining the module.
package pecos_postproc_pkg;

  localparam int Lat /*verilator public*/ = 9;

endpackage
