// pecos_perf_ctr: free-running 64-bit performance counters of an array (WS and OS).
//   beats   : data beats accepted (in_valid_i)
//   wbeats  : weight-lane beats accepted (w_valid_i; the OS array ties it low)
//   busy    : cycles with a beat entering, a block open (OutsPerLast >= 1) or outputs owed
//   macs    : sum over cycles of PEs whose multiplier stage holds a valid product
//   gated   : MACs whose multiplier is gated (an operand is zero), counted when their beat
//             enters: gated_i is what the beat accepted this cycle will gate in its journey
// Outputs owed (the in-flight count) rise with the beats and fall with out_valid_i:
//   OutsPerLast = 0 (WS): every beat owes one output;
//   OutsPerLast = N (OS): the last beat of a block (in_valid_i && in_last_i) owes N outputs,
//                         and a block is open from its first beat up to its last beat.
`include "pecos_assert.svh"

module pecos_perf_ctr #(
  parameter int CntW        = 5,  // width of busy_pes_i
  parameter int Pes         = 1,  // PEs of the array: busy_pes_i never exceeds it
  parameter int MaxInflight = 2,  // outputs owed at most (WS: the array's latency + 1)
  parameter int OutsPerLast = 0   // 0: one output per beat; N >= 1: N per block, see above
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             in_valid_i,
  input  logic             in_last_i,    // last beat of a block (used if OutsPerLast >= 1)
  input  logic             w_valid_i,
  input  logic             out_valid_i,
  input  logic [CntW-1:0]  busy_pes_i,   // PEs with a valid product this cycle
  input  logic [CntW-1:0]  gated_i,      // MACs the beat accepted this cycle gates
  output logic [63:0]      cnt_beats_o,
  output logic [63:0]      cnt_wbeats_o,
  output logic [63:0]      cnt_busy_o,
  output logic [63:0]      cnt_macs_o,
  output logic [63:0]      cnt_gated_o
);

  // ----------------------------------------------------------------------------------------
  // Parameters
  // ----------------------------------------------------------------------------------------
  `PECOS_ASSERT_PARAM(PerfParamsInRange, CntW >= 1 && CntW <= 32 && Pes >= 1 && MaxInflight >= 1 && OutsPerLast >= 0)

  // ----------------------------------------------------------------------------------------
  // Control: outputs owed by the beats accepted this cycle, and the open block
  // ----------------------------------------------------------------------------------------
  logic [31:0] owed;  // added to the in-flight count at this edge
  logic        open;  // a block has begun and its last beat has not been seen yet

  if (OutsPerLast == 0) begin : g_per_beat
    assign owed = 32'(in_valid_i);
    assign open = 1'b0;
    logic unused_in_last;
    assign unused_in_last = in_last_i;
  end else begin : g_per_block
    logic open_q;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni)         open_q <= 1'b0;
      else if (in_valid_i) open_q <= !in_last_i;
    end
    assign owed = (in_valid_i && in_last_i) ? 32'(OutsPerLast) : 32'd0;
    assign open = open_q;
  end

  // ----------------------------------------------------------------------------------------
  // Registers
  // ----------------------------------------------------------------------------------------
  logic [31:0] inflight_q;
  logic [63:0] beats_q, wbeats_q, busy_q, macs_q, gated_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      inflight_q <= '0;
      beats_q    <= '0;
      wbeats_q   <= '0;
      busy_q     <= '0;
      macs_q     <= '0;
      gated_q    <= '0;
    end else begin
      inflight_q <= inflight_q + owed - 32'(out_valid_i);
      beats_q    <= beats_q + 64'(in_valid_i);
      wbeats_q   <= wbeats_q + 64'(w_valid_i);
      busy_q     <= busy_q + 64'(in_valid_i || open || (inflight_q != '0));
      macs_q     <= macs_q + 64'(busy_pes_i);
      gated_q    <= gated_q + 64'(gated_i);
    end
  end

  assign cnt_beats_o  = beats_q;
  assign cnt_wbeats_o = wbeats_q;
  assign cnt_busy_o   = busy_q;
  assign cnt_macs_o   = macs_q;
  assign cnt_gated_o  = gated_q;

  // ----------------------------------------------------------------------------------------
  // Assertions
  // ----------------------------------------------------------------------------------------
`ifndef SYNTHESIS
  // Cycles since reset, to bound the busy counter.
  logic [63:0] cyc_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) cyc_q <= '0;
    else         cyc_q <= cyc_q + 64'd1;
  end
  // No output valid without an output owed: the in-flight count never goes negative.
  `PECOS_ASSERT_IMPL(PerfOutHasBeatInFlight, out_valid_i, inflight_q != '0)
  `PECOS_ASSERT(PerfInflightBounded, inflight_q <= 32'(MaxInflight))
  `PECOS_ASSERT(PerfBusyPesInRange, 32'(busy_pes_i) <= 32'(Pes))
  `PECOS_ASSERT_IMPL(PerfProductsNeedABeat, busy_pes_i != '0, in_valid_i || open || inflight_q != '0)
  `PECOS_ASSERT(PerfBusyLeCycles, busy_q <= cyc_q)
  `PECOS_ASSERT(PerfMacsLeBusyTimesPes, macs_q <= busy_q * 64'(Pes))
  `PECOS_ASSERT(PerfBeatsLeCycles, beats_q <= cyc_q && wbeats_q <= cyc_q)
  // A beat gates at most every PE once; nothing is gated without a beat.
  `PECOS_ASSERT_IMPL(PerfGatedNeedsBeat, gated_i != '0, in_valid_i)
  `PECOS_ASSERT(PerfGatedInRange, 32'(gated_i) <= 32'(Pes))
  `PECOS_ASSERT(PerfGatedLeSlots, gated_q <= beats_q * 64'(Pes))
`endif

endmodule
