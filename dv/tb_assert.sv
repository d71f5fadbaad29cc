// tb_assert: shows that each named assertion of rtl/ fires. +case=NAME picks one assertion;
// the bench drives the contract violation it guards (or, for an internal invariant, forces
// the inconsistent state) on small arrays and the PPU, and dv/assert_check.sh expects the
// line "PECOS_ASSERT NAME failed" (for +case=UNIT.NAME: the assertion NAME, checked in
// another instance of the module that holds it). Icarus 11 (-g2012).
module tb_assert;
  localparam int R = 3, C = 4;
  logic clk = 1'b0, rst_n = 1'b0;
  always #5 clk = ~clk;

  // WS array, int8
  logic        w_valid = 0, w_bank = 0, x_valid = 0, x_bank = 0;
  logic [15:0] w_col = 0;
  logic [R*8-1:0] w_data = '0, x_data = '0;
  logic [C*32-1:0] psum = '0, ws_out;
  logic ws_ov;
  logic [63:0] k0, k1, k2, k3, k4;
  pecos_array_ws #(.Rows(R), .Cols(C), .DType(0)) ws (
    .clk_i(clk), .rst_ni(rst_n), .w_valid_i(w_valid), .w_bank_i(w_bank), .w_col_i(w_col),
    .w_data_i(w_data), .in_valid_i(x_valid), .in_bank_i(x_bank), .in_data_i(x_data),
    .in_psum_i(psum), .out_valid_o(ws_ov), .out_psum_o(ws_out), .cnt_beats_o(k0),
    .cnt_wbeats_o(k1), .cnt_busy_o(k2), .cnt_macs_o(k3), .cnt_gated_o(k4));

  // The FMA unit alone (the arrays compute their PEs in a loop with its functions)
  logic f_pv, f_v;
  logic [31:0] f_y;
  pecos_fma #(.Fmt(0), .Ftz(0)) fma (
    .clk_i(clk), .rst_ni(rst_n), .valid_i(1'b0), .a_i(16'd0), .b_i(16'd0), .c_i(32'd0),
    .prod_valid_o(f_pv), .valid_o(f_v), .y_o(f_y));

  // OS array, bf16
  logic o_valid = 0, o_first = 0, o_last = 0;
  logic [R*16-1:0] o_x = '0;
  logic [C*16-1:0] o_w = '0;
  logic [C*32-1:0] os_out;
  logic os_ov;
  logic [63:0] q0, q1, q2, q3, q4;
  pecos_array_os #(.Rows(R), .Cols(C), .DType(1)) os (
    .clk_i(clk), .rst_ni(rst_n), .in_valid_i(o_valid), .in_first_i(o_first),
    .in_last_i(o_last), .in_data_i(o_x), .w_data_i(o_w), .in_psum_i(psum),
    .out_valid_o(os_ov), .out_psum_o(os_out), .cnt_beats_o(q0), .cnt_wbeats_o(q1),
    .cnt_busy_o(q2), .cnt_macs_o(q3), .cnt_gated_o(q4));

  // PPU
  logic [1:0] mode = 0;
  logic [5:0] shift = 0;
  logic p_valid = 0, p_first = 0, p_last = 0;
  logic [7:0] p_count = 1;
  logic [2*32-1:0] p_acc = '0;
  logic [2*8-1:0] p_out;
  logic p_ov;
  pecos_postproc #(.Lanes(2)) pp (
    .clk_i(clk), .rst_ni(rst_n), .rq_mult_i(31'h40000000), .rq_shift_i(shift), .rq_zp_i(8'd0),
    .rq_en_i(1'b1), .relu_en_i(1'b1), .pool_mode_i(mode), .in_valid_i(p_valid),
    .in_first_i(p_first), .in_last_i(p_last), .in_count_i(p_count), .in_acc_i(p_acc),
    .in_bias_i({2{32'd0}}), .out_valid_o(p_ov), .out_data_o(p_out));

  reg [8*40-1:0] name;
  task automatic cycles(input int n);
    repeat (n) @(negedge clk);
  endtask

  initial begin
    if (!$value$plusargs("case=%s", name)) begin
      $display("TB FAIL: no +case=NAME");
      $finish;
    end
    cycles(2);
    rst_n = 1'b1;
    cycles(2);
    case (name)
      // --- pecos_array_ws
      "WsWeightColInRange": begin w_valid = 1; w_col = C; cycles(1); end
      "WsOutValidMatchesBeat": begin force ws.out_valid_o = 1'b1; cycles(2); end
      // --- pecos_perf_ctr (internal invariants: forced)
      "PerfOutHasBeatInFlight": begin force ws.u_perf.out_valid_i = 1'b1; cycles(2); end
      "PerfInflightBounded": begin force ws.u_perf.inflight_q = 32'd100; cycles(2); end
      "PerfBusyPesInRange": begin force ws.u_perf.busy_pes_i = R * C + 1; cycles(2); end
      "PerfProductsNeedABeat": begin force ws.u_perf.busy_pes_i = 1; cycles(2); end
      "PerfBusyLeCycles": begin force ws.u_perf.busy_q = 64'd1000; cycles(2); end
      "PerfMacsLeBusyTimesPes": begin force ws.u_perf.macs_q = 64'd1000; cycles(2); end
      "PerfBeatsLeCycles": begin force ws.u_perf.beats_q = 64'd1000; cycles(2); end
      // --- pecos_fma (valid pipeline, low after reset; canonical NaN)
      "FmaProductFollowsOperands": begin force fma.prod_valid_q = 1'b1; cycles(2); end
      "FmaSumFollowsProduct": begin force fma.y_valid_q = 1'b1; cycles(2); end
      "FmaNaNCanonical": begin
        force fma.y_valid_q = 1'b1;
        force fma.y_q = 32'h7fc00001;
        cycles(2);
      end
      // --- pecos_array_os
      "OsBeatInsideBlock": begin o_valid = 1; o_first = 0; cycles(1); end
      "OsLastBeatSpacing": begin
        o_valid = 1; o_first = 1; o_last = 1; cycles(2);
      end
      "OsOutValidMatchesBlock": begin force os.out_valid_o = 1'b1; cycles(2); end
      "OsBusyPesInRange": begin force os.busy_pes = R * C + 1; cycles(2); end
      // --- pecos_perf_ctr in the OS array (per block): Os.NAME expects assertion NAME
      "Os.PerfOutHasBeatInFlight": begin force os.out_valid_o = 1'b1; cycles(2); end
      "Os.PerfInflightBounded": begin force os.u_perf.inflight_q = 32'd1000; cycles(2); end
      "Os.PerfProductsNeedABeat": begin force os.u_perf.busy_pes_i = 1; cycles(2); end
      "Os.PerfBusyLeCycles": begin force os.u_perf.busy_q = 64'd1000; cycles(2); end
      "Os.PerfMacsLeBusyTimesPes": begin force os.u_perf.macs_q = 64'd1000; cycles(2); end
      "PeOsNoResultLost": begin
        // Blocks of one beat on consecutive cycles: a column loads while the last block's
        // results still shift down (OsLastBeatSpacing fires first, at the second beat).
        o_valid = 1; o_first = 1; o_last = 1; cycles(3);
        o_valid = 0; cycles(R + C + 6);
      end
      // --- pecos_postproc, pecos_requant
      "PostPoolModeNotReserved": begin mode = 3; cycles(1); end
      "PostShiftInRange": begin shift = 33; cycles(1); end
      "PostBeatInsideWindow": begin mode = 1; p_valid = 1; p_first = 0; cycles(1); end
      "PostNoFirstInsideWindow": begin
        mode = 1; p_valid = 1; p_first = 1; p_last = 0; cycles(2);
      end
      "PostAvgCountNonZero": begin
        mode = 2; p_valid = 1; p_first = 1; p_last = 1; p_count = 0; cycles(1);
      end
      "PostWindowAtMost255": begin
        mode = 1; p_valid = 1; p_first = 1; cycles(1); p_first = 0; cycles(300);
      end
      "PostLatencyContract": begin force pp.out_valid_o = 1'b1; cycles(2); end
      "RqClampKeepsSign": begin force pp.g_lane[0].u_requant.q_d = 10'sd5; force pp.g_lane[0].u_requant.rq = -64'sd700; cycles(2); end
      "RqReluAboveZp": begin force pp.g_lane[1].u_requant.y_d = -8'sd3; cycles(2); end
      "None": cycles(20);  // no violation: nothing may fire
      default: $display("TB FAIL: unknown case %0s", name);
    endcase
    cycles(2);
    $display("tb_assert: case %0s done", name);
    $finish;
  end
endmodule
