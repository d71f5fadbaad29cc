// pecos_mac_fn.svh: the int8 MAC's arithmetic as functions, included inside the arrays'
// modules (pecos_array_ws, pecos_array_os), whose PE loops hold its two stages' registers:
//   stage 1 (the product register, written on a valid beat unless gated):
//     mac_gated(a, b)          an operand is zero: the product register is not written (the
//                              multiplier does not toggle it) and stage 2 adds zero;
//     mac_product(a, b)        the signed 16-bit product a * b;
//   stage 2 (one edge later):
//     mac_sum(acc, prod, gated) acc + prod, or acc when gated, modulo 2^32 (two's complement,
//                              like the golden model).
// The arrays count the gated MACs (pecos_perf_ctr cnt_gated_o).

function automatic logic mac_gated(input logic [7:0] a, input logic [7:0] b);
  mac_gated = a == '0 || b == '0;
endfunction

// The same bits as a * b (signed); Verilator's signed multiply below 32 bits extends each
// operand twice, at 32 bits once.
function automatic logic [15:0] mac_product(input logic [7:0] a, input logic [7:0] b);
  mac_product = 16'(32'($signed(a)) * 32'($signed(b)));
endfunction

function automatic logic [31:0] mac_sum(input logic [31:0] acc, input logic [15:0] prod,
                                        input logic gated);
  mac_sum = acc + (gated ? 32'd0 : 32'($signed(prod)));
endfunction
