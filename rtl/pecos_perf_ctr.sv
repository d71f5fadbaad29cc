// pecos_perf_ctr: free-running 64-bit performance counters of the array.
//   beats   : data beats accepted (in_valid_i)
//   wbeats  : weight-lane beats accepted (w_valid_i)
//   busy    : cycles with a beat entering or in flight (from in_valid to out_valid)
//   macs    : sum over cycles of PEs whose multiplier stage holds a valid product
`include "pecos_assert.svh"

module pecos_perf_ctr #(
  parameter int CntW        = 5,  // width of busy_pes_i
  parameter int Pes         = 1,  // PEs of the array: busy_pes_i never exceeds it
  parameter int MaxInflight = 2   // beats in flight at most (the array's latency + 1)
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             in_valid_i,
  input  logic             w_valid_i,
  input  logic             out_valid_i,
  input  logic [CntW-1:0]  busy_pes_i,   // PEs with a valid product this cycle
  output logic [63:0]      cnt_beats_o,
  output logic [63:0]      cnt_wbeats_o,
  output logic [63:0]      cnt_busy_o,
  output logic [63:0]      cnt_macs_o
);

  // Registers
  logic [31:0] inflight_q;
  logic [63:0] beats_q, wbeats_q, busy_q, macs_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      inflight_q <= '0;
      beats_q    <= '0;
      wbeats_q   <= '0;
      busy_q     <= '0;
      macs_q     <= '0;
    end else begin
      inflight_q <= inflight_q + 32'(in_valid_i) - 32'(out_valid_i);
      beats_q    <= beats_q + 64'(in_valid_i);
      wbeats_q   <= wbeats_q + 64'(w_valid_i);
      busy_q     <= busy_q + 64'(in_valid_i || (inflight_q != '0));
      macs_q     <= macs_q + 64'(busy_pes_i);
    end
  end

  assign cnt_beats_o  = beats_q;
  assign cnt_wbeats_o = wbeats_q;
  assign cnt_busy_o   = busy_q;
  assign cnt_macs_o   = macs_q;

  // ----------------------------------------------------------------------------------------
  // Assertions
  // ----------------------------------------------------------------------------------------
`ifndef SYNTHESIS
  `PECOS_ASSERT_INIT(PerfParamsInRange, CntW >= 1 && CntW <= 32 && Pes >= 1 && MaxInflight >= 1)
  // Cycles since reset, to bound the busy counter.
  logic [63:0] cyc_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) cyc_q <= '0;
    else         cyc_q <= cyc_q + 64'd1;
  end
  // No output valid without a beat in flight: the in-flight count never goes negative.
  `PECOS_ASSERT_IMPL(PerfOutHasBeatInFlight, out_valid_i, inflight_q != '0)
  `PECOS_ASSERT(PerfInflightBounded, inflight_q <= 32'(MaxInflight))
  `PECOS_ASSERT(PerfBusyPesInRange, 32'(busy_pes_i) <= 32'(Pes))
  `PECOS_ASSERT_IMPL(PerfProductsNeedABeat, busy_pes_i != '0, in_valid_i || inflight_q != '0)
  `PECOS_ASSERT(PerfBusyLeCycles, busy_q <= cyc_q)
  `PECOS_ASSERT(PerfMacsLeBusyTimesPes, macs_q <= busy_q * 64'(Pes))
  `PECOS_ASSERT(PerfBeatsLeCycles, beats_q <= cyc_q && wbeats_q <= cyc_q)
`endif

endmodule
