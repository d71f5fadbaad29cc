// pecos_postproc: the post-processing unit (PPU). It sits after the PE array: Lanes int32
// accumulators in per beat, Lanes int8 activations out per window.
//
//   in_acc_i, in_bias_i ──► Lanes x pecos_requant ──► pecos_pool ──► out_data_o
//   in_valid/first/last/count ──► pecos_delay (RqLat) ──┘  (bias, requant, ReLU; max/avg pool)
//
// Per lane l (acc = in_acc_i[l*32 +: 32], bias = in_bias_i[l*32 +: 32], both int32; the
// result is out_data_o[l*8 +: 8], int8), exactly:
//   1. v = acc + bias                                   (32-bit two's complement wrap)
//   2. rq_en = 1: y = clamp(zp + RHE(v * mult / 2^(31+shift)), -128, 127)
//      rq_en = 0: y = clamp(v, -128, 127)
//      RHE = round half to even, computed exactly on the 64-bit product v * mult; this is
//      ONNX QLinearConv's requantization with its float scale x_scale*w_scale/y_scale given
//      as mult * 2^-(31+shift), mult = rq_mult_i (Q31), shift = rq_shift_i (0..32; above 32
//      acts as 32, which changes nothing: the quotient already rounds to 0 at 32).
//   3. relu_en = 1: y = max(y, zp)                      (also when rq_en = 0)
//   4. pool over the beats of a window:
//      mode 0 none: every valid beat is its own window (in_first_i/in_last_i ignored): y
//      mode 1 max : max of y over the window
//      mode 2 avg : RHE(sum of y / count), count = in_count_i of the window's last beat
//                   (1..255; 0 is taken as 1), exact; clamped to int8 (only a count smaller
//                   than the number of beats can leave int8; the sum is held in 16 bits,
//                   exact for windows of up to 258 beats: keep windows <= 255 beats)
//      mode 3     : as mode 0 (reserved; flagged by an assertion)
//   zp = rq_zp_i as int8. The configuration is sampled every cycle: hold it constant from a
//   layer's first beat until its last output has left (LAT cycles after its last beat).
//
// Framing: a window is the valid beats from one with in_first_i up to the next one with
// in_last_i (the same beat may be both). Idle cycles (in_valid_i = 0) are allowed anywhere,
// also inside a window; the next window may start in the cycle after a last beat.
//
// Timing contract: one beat per cycle, no back-pressure. A window's result is visible
// (out_valid_o = 1, out_data_o) right after edge e + LAT, where e is the clock edge that took
// its last beat (for vpost_step: the step LAT steps after the one that presented it). Results
// leave in window order; out_valid_o is 0 in every other cycle. LAT = 9:
//   edge e     : v = acc + bias            (pecos_requant stage 1)
//   edge e+1   : 64-bit product            (stage 2)
//   edge e+2   : rounding, 10-bit clamp    (stage 3)
//   edge e+3   : zero point, clamp, ReLU   (stage 4)
//   edge e+4   : max / sum accumulator     (pecos_pool)
//   edge e+5..8: restoring divider, 4 quotient bits a stage (also for none/max, by 1)
//   edge e+9   : rounding, sign, clamp -> out_data_o
`include "pecos_assert.svh"

module pecos_postproc #(
  parameter int Lanes = 16
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  // Configuration: held constant while a layer streams
  input  logic [30:0]         rq_mult_i,    // Q31 multiplier: scale = mult * 2^-(31+shift)
  input  logic [5:0]          rq_shift_i,   // 0..32
  input  logic [7:0]          rq_zp_i,      // output zero point (int8)
  input  logic                rq_en_i,      // 0: bypass requant (only saturate to int8)
  input  logic                relu_en_i,    // clamp below at the zero point
  input  logic [1:0]          pool_mode_i,  // 0 none, 1 max, 2 avg
  // One beat: one element of a window for every lane
  input  logic                in_valid_i,
  input  logic                in_first_i,   // first beat of a window
  input  logic                in_last_i,    // last beat of a window
  input  logic [7:0]          in_count_i,   // avg: divisor 1..255, with in_last_i
  input  logic [Lanes*32-1:0] in_acc_i,     // int32 per lane
  input  logic [Lanes*32-1:0] in_bias_i,    // int32 per lane, added first
  output logic                out_valid_o,
  output logic [Lanes*8-1:0]  out_data_o    // int8 per lane
);

  // ----------------------------------------------------------------------------------------
  // Parameters
  // ----------------------------------------------------------------------------------------
  `PECOS_ASSERT_PARAM(PostLanesInRange, Lanes >= 1 && Lanes <= 256)

  localparam int RqLat = 4;  // pecos_requant: edges from the beat's edge to y valid
  // LAT of the contract above (= RqLat + pecos_pool's Latency 6 - 1), declared once in
  // pecos_postproc_pkg (the shim reports it); the assertion below and the tests check it
  // against the pipeline.
  localparam int Lat = pecos_postproc_pkg::Lat;

  // ----------------------------------------------------------------------------------------
  // Datapath: requantization per lane
  // ----------------------------------------------------------------------------------------
  logic [Lanes*8-1:0] y;

  for (genvar l = 0; l < Lanes; l++) begin : g_lane
    pecos_requant u_requant (
      .clk_i     (clk_i),
      .rst_ni    (rst_ni),
      .mult_i    (rq_mult_i),
      .shift_i   (rq_shift_i),
      .zp_i      (rq_zp_i),
      .rq_en_i   (rq_en_i),
      .relu_en_i (relu_en_i),
      .acc_i     (in_acc_i[l*32 +: 32]),
      .bias_i    (in_bias_i[l*32 +: 32]),
      .y_o       (y[l*8 +: 8])
    );
  end

  // ----------------------------------------------------------------------------------------
  // Control: the beat's flags follow the requantizer
  // ----------------------------------------------------------------------------------------
  logic       y_valid, y_first, y_last;
  logic [7:0] y_count;

  pecos_delay #(.Width(11), .Depth(RqLat)) u_ctl (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .d_i    ({in_valid_i, in_first_i, in_last_i, in_count_i}),
    .q_o    ({y_valid, y_first, y_last, y_count})
  );

  // ----------------------------------------------------------------------------------------
  // Pooling and averaging
  // ----------------------------------------------------------------------------------------
  pecos_pool #(.Lanes(Lanes)) u_pool (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .mode_i      (pool_mode_i),
    .valid_i     (y_valid),
    .first_i     (y_first),
    .last_i      (y_last),
    .count_i     (y_count),
    .y_i         (y),
    .out_valid_o (out_valid_o),
    .out_data_o  (out_data_o)
  );

  // ----------------------------------------------------------------------------------------
  // Assertions
  // ----------------------------------------------------------------------------------------
`ifndef SYNTHESIS
  // Window framing in max/avg mode: win_open_q is 1 between a first and its last beat;
  // win_beats_q counts the beats of the open window (saturating at 511).
  logic       win_open_q;
  logic [8:0] win_beats_q;
  logic       pooling;

  assign pooling = (pool_mode_i == 2'd1) || (pool_mode_i == 2'd2);

  // The latency contract: closed_q[k] = 1 after edge e + k when edge e took a window's last
  // beat; sampled at edge e + Lat + 1, out_valid_o (set by edge e + Lat) must equal
  // closed_q[Lat] (set by the same edge).
  logic [Lat:0] closed_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) closed_q <= '0;
    else         closed_q <= {closed_q[Lat-1:0], in_valid_i && (in_last_i || !pooling)};
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      win_open_q  <= 1'b0;
      win_beats_q <= '0;
    end else if (in_valid_i && pooling) begin
      win_open_q  <= !in_last_i;
      if (in_first_i)               win_beats_q <= 9'd1;
      else if (win_beats_q != '1)   win_beats_q <= win_beats_q + 9'd1;
    end
  end

  `PECOS_ASSERT(PostLatencyContract, out_valid_o == closed_q[Lat])
  `PECOS_ASSERT(PostPoolModeNotReserved, pool_mode_i != 2'd3)
  `PECOS_ASSERT(PostShiftInRange, rq_shift_i <= 6'd32)
  `PECOS_ASSERT_IMPL(PostNoFirstInsideWindow, in_valid_i && pooling, !(in_first_i && win_open_q))
  `PECOS_ASSERT_IMPL(PostBeatInsideWindow, in_valid_i && pooling, in_first_i || win_open_q)
  `PECOS_ASSERT_IMPL(PostWindowAtMost255, in_valid_i && pooling, in_first_i || win_beats_q < 9'd255)
  `PECOS_ASSERT_IMPL(PostAvgCountNonZero, in_valid_i && in_last_i && pool_mode_i == 2'd2, in_count_i != 8'd0)
`endif

endmodule
