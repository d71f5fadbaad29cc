// pecos_array_os: Rows x Cols output-stationary systolic array. DType 0: int8 x int8 ->
// int32; DType 1/2: bf16/fp16 operands with fp32 accumulation (one fused rounding per beat).
//
// PE(r,c) owns one output: row r is one output pixel, column c one output channel. A beat
// carries one x per row and one w per column; a block of beats (in_first_i .. in_last_i)
// accumulates, in every PE, one output over the beats in order. x and the first/last/valid
// flags flow right, w and the initial accumulator (bias) flow down; skew and deskew are
// inside, the host presents and receives whole, unskewed vectors.
//
//   w_data_i[c], in_psum_i[c] ──► skew c ──►  (column 0)  (column 1)  ...  (column Cols-1)
//                                                │           │                 │
//   in_data_i[r], flags ──► skew r ──► PE(r,0) ─► PE(r,1) ─► ... ─► PE(r,Cols-1)
//                                         │ w, init  │                 │  (flow down)
//                                        ...        ...               ...
//                                         ▼          ▼                 ▼
//   drain chain ch (one per PE, down):  bottom ch of every column, last row first
//                                         ▼          ▼                 ▼
//                                  deskew Cols-1  Cols-2     ...       0  ──► out_psum_o[c]
//
// In each PE (the grid loop below): beat t reaches PE(r,c) at edge t+r+c (stage 1, product),
// is accumulated at edge t+r+c+1 (stage 2), and a last beat's result is copied to res at
// edge t+r+c+2 (with a one-cycle cap pulse). Column c's drain chain loads every res of the
// column on the edge where the bottom PE's cap is high (edge t_L+Rows+c+2), then shifts down
// one PE per cycle; its bottom register is deskewed by Cols-1-c cycles.
//
// Timing contract (the host's cycle loop and the cycle model rely on it):
//   - A block is the beats (in_valid_i) from one with in_first_i to the next one with
//     in_last_i (one beat may be both); idle cycles inside a block are allowed (acc holds).
//     int8: acc[r][c] = in_psum_i[c] of the first beat; per beat acc += x[r] * w[c]
//           (signed int8 products, int32 wrap-around);
//     fp:   acc[r][c] = in_psum_i[c] of the first beat; per beat acc = fma(x[r], w[c], acc)
//           (fp32, one rounding per beat: pecos_fma_fn.svh's fma_mul and fma_add, Ftz = 0).
//     in_psum_i is used on first beats only; a beat without in_first_i continues acc.
//   - If the last beat of a block is presented in cycle t_L (sampled at edge t_L), output
//     i = 0 .. Rows-1 is visible with out_valid_o after edge t_L + Rows + Cols + 1 + i and
//     carries pixel (row) Rows-1-i: out_psum_o[c] = acc[Rows-1-i][c] for every c. So the
//     first output follows the last beat by Latency = Rows + Cols + 1 edges, and a block
//     drains in Rows consecutive cycles, last row first. out_valid_o is low otherwise.
//   - The next block may start in the cycle after a last beat (double-buffered), but the
//     last beats of consecutive blocks must be at least Rows cycles apart (t_L' >= t_L +
//     Rows); then no result is lost. There is no back-pressure.
// Lane packing: in_data_i[r*DW +: DW], w_data_i[c*DW +: DW], in_psum_i/out_psum_o[c*32 +: 32]
// (int32, or fp32 bit patterns), DW = 8 for int8 and 16 for bf16/fp16.
//
// Counters: beats = beats accepted (in_valid_i); wbeats = 0 (OS loads no weights; the port
// is kept for the host); macs = sum over cycles of PEs whose multiplier stage holds a valid
// product (Rows*Cols per beat); gated = MACs whose multiplier an operand of zero gated
// (int8; counted as their beat enters); busy = cycles with a beat entering, a block open (after its
// first beat, up to its last beat) or output rows of a finished block still to leave,
// up to and including the edge that samples the last row's output.
`include "pecos_assert.svh"

module pecos_array_os #(
  parameter int Rows  = 16,
  parameter int Cols  = 16,
  parameter int DType = 0,                     // 0 int8, 1 bf16, 2 fp16
  parameter int DW    = (DType == 0) ? 8 : 16  // derived: do not override
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  // Beats
  input  logic               in_valid_i,
  input  logic               in_first_i,  // first beat of a block: acc starts from in_psum_i
  input  logic               in_last_i,   // last beat of a block: results drain afterwards
  input  logic [Rows*DW-1:0] in_data_i,   // x of row r (pixel r)
  input  logic [Cols*DW-1:0] w_data_i,    // w of column c (output channel c)
  input  logic [Cols*32-1:0] in_psum_i,   // initial accumulator of column c (first beat)
  // Results
  output logic               out_valid_o,
  output logic [Cols*32-1:0] out_psum_o,
  // Performance counters
  output logic [63:0]        cnt_beats_o,
  output logic [63:0]        cnt_wbeats_o,
  output logic [63:0]        cnt_busy_o,
  output logic [63:0]        cnt_macs_o,
  output logic [63:0]        cnt_gated_o
);

  // ----------------------------------------------------------------------------------------
  // Parameters
  // ----------------------------------------------------------------------------------------
  `PECOS_ASSERT_PARAM(OsSizeInRange, Rows >= 1 && Rows <= 256 && Cols >= 1 && Cols <= 256)
  `PECOS_ASSERT_PARAM(OsDTypeInRange, DType >= 0 && DType <= 2 && DW == ((DType == 0) ? 8 : 16))

  localparam int XLaneW = 3 + DW;   // {valid, first, last, x}
  localparam int WLaneW = 32 + DW;  // {init, w}

  // Row r's lanes after the input skew (into PE(r,0)) and column c's after the weight/init
  // skew (into PE(0,c)), packed per field.
  logic [Rows*XLaneW-1:0] sk_x;
  logic [Cols*WLaneW-1:0] sk_w;

  // ----------------------------------------------------------------------------------------
  // Datapath: skew, PE grid, drain and deskew
  // ----------------------------------------------------------------------------------------
  // Input skew: row r is delayed by r cycles.
  for (genvar r = 0; r < Rows; r++) begin : g_xskew
    pecos_delay #(.Width(XLaneW), .Depth(r)) u_skew (
      .clk_i  (clk_i),
      .rst_ni (rst_ni),
      .d_i    ({in_valid_i, in_first_i, in_last_i, in_data_i[r*DW +: DW]}),
      .q_o    (sk_x[r*XLaneW +: XLaneW])
    );
  end

  // Weight/init skew: column c is delayed by c cycles.
  for (genvar c = 0; c < Cols; c++) begin : g_wskew
    pecos_delay #(.Width(WLaneW), .Depth(c)) u_skew (
      .clk_i  (clk_i),
      .rst_ni (rst_ni),
      .d_i    ({in_psum_i[c*32 +: 32], w_data_i[c*DW +: DW]}),
      .q_o    (sk_w[c*WLaneW +: WLaneW])
    );
  end

  // PE grid: one process over the PEs' registers, held in unpacked arrays indexed
  // i = r*Cols + c (as in pecos_array_ws). PE(r,c) reads the x lane of PE(r,c-1) (or row r's
  // skew for c = 0), the w lane and the drain chain of PE(r-1,c) (or column c's skew and an
  // idle chain for r = 0), and its column's load: the bottom PE's capture flag, taken before
  // the loop. The process visits the PEs from the highest index down and assigns each PE's
  // registers at once (blocking), so every PE reads values of before the edge; within a PE,
  // each register is assigned after the last read of its old value. What leaves the grid
  // (the bottom row's chain, the busy count) is copied, as it is after the edge, into
  // ordinary flops with non-blocking assignments.
  //
  // Per PE (edge e samples its inputs; two stages: pecos_mac_fn.svh, pecos_fma_fn.svh):
  //   x lane:  valid, and on a valid beat first, last, x pass to the right;
  //   w lane:  on a valid beat w passes down; init only on a first beat (the PE below samples
  //            it one cycle later, before this PE's next first beat can replace it);
  //   stage 1: on a valid beat the product of x and w (int8: not written when an operand is
  //            zero, gated set instead; fp: fma_mul, exact); its valid is the x lane's;
  //   stage 2: one edge later acc = addend + product (int8 mod 2^32, fp fma_add), addend =
  //            init of that beat if it was first, else acc;
  //   capture: one edge after a last beat's stage 2 (last2), res = acc and cap is high for
  //            one cycle;
  //   drain:   on an edge whose column loads, the chain register takes res (valid); else it
  //            shifts from the PE above, so the column drains bottom PE first.
  // A loop over arrays instead of Rows x Cols PE instances: Verilator 5.006 emits one copy
  // of the PE's code in a loop instead of one copy per PE (docs/SPEED.md). Two nested loops,
  // rows outside, as in pecos_array_ws: the inner one is unrolled (int8; the bf16/fp16 models
  // keep it rolled), c is a constant in each copy.
  localparam int FmaFmt = (DType == 2) ? 1 : 0;  // pecos_fma_fn.svh: the fp format
  localparam int FmaFtz = 0;
  `include "pecos_fma_fn.svh"
  `include "pecos_mac_fn.svh"
  localparam int Pes    = Rows * Cols;
  localparam int ProdW  = (DType == 0) ? 16 : FmaProdW;  // stage-1 register of one PE
  localparam int PeCntW = $clog2(Rows * Cols + 1);

  logic             pe_xv    [Pes];   // x lane out: valid (= stage 1 valid)
  logic             pe_xf    [Pes];   //             first
  logic             pe_xl    [Pes];   //             last
  logic [DW-1:0]    pe_xd    [Pes];   //             x
  logic [DW-1:0]    pe_wd    [Pes];   // w lane out: w
  logic [31:0]      pe_wi    [Pes];   //             init (first beats)
  logic [ProdW-1:0] pe_prod  [Pes];   // stage 1: product
  logic             pe_gated [Pes];   //          int8: an operand was zero
  logic [31:0]      pe_acc   [Pes];   // stage 2: accumulator
  logic             pe_last2 [Pes];   // stage 2 holds a last beat
  logic             pe_cap   [Pes];   // res was loaded at the last edge
  logic [31:0]      pe_res   [Pes];   // a block's result
  logic             pe_chv   [Pes];   // drain chain: valid
  logic [31:0]      pe_chd   [Pes];   //              data
  logic [Cols*32-1:0] bot_ch_q;       // the bottom row's chain, copied
  logic               bot_chv_q;      // the last PE's chain valid, copied
  logic [PeCntW-1:0]  busy_pes;       // PEs whose stage 1 holds a valid product

  /* verilator lint_off BLKSEQ */  // the PE registers are assigned at once, see above
  always_ff @(posedge clk_i or negedge rst_ni) begin : p_grid
    logic [Cols-1:0]    load;
    logic [Cols*32-1:0] bot_ch;
    logic [PeCntW-1:0]  busy;
    if (!rst_ni) begin
      for (int i = 0; i < Pes; i++) begin
        pe_xv[i]    = 1'b0;
        pe_xf[i]    = 1'b0;
        pe_xl[i]    = 1'b0;
        pe_xd[i]    = '0;
        pe_wd[i]    = '0;
        pe_wi[i]    = '0;
        pe_prod[i]  = '0;
        pe_gated[i] = 1'b0;
        pe_acc[i]   = '0;
        pe_last2[i] = 1'b0;
        pe_cap[i]   = 1'b0;
        pe_res[i]   = '0;
        pe_chv[i]   = 1'b0;
        pe_chd[i]   = '0;
      end
      bot_ch_q  <= '0;
      bot_chv_q <= 1'b0;
      busy_pes  <= '0;
    end else begin
      // The bottom PE's capture pulse loads the whole column: by then every row has its res.
      for (int c = 0; c < Cols; c++) load[c] = pe_cap[(Rows-1)*Cols + c];
      busy = '0;
      for (int r = Rows - 1; r >= 0; r--) begin
        for (int c = Cols - 1; c >= 0; c--) begin
          logic              xv, xf, xl, chv;
          logic [DW-1:0]     xd, wd;
          logic [31:0]       wi, chd, addend;
          logic [XLaneW-1:0] xlane;
          logic [WLaneW-1:0] wlane;
          // Inputs (values before the edge).
          xlane = (c == 0) ? sk_x[r * XLaneW +: XLaneW]
                           : {pe_xv[r*Cols + c - 1], pe_xf[r*Cols + c - 1], pe_xl[r*Cols + c - 1],
                              pe_xd[r*Cols + c - 1]};
          wlane = (r == 0) ? sk_w[c * WLaneW +: WLaneW]
                           : {pe_wi[r*Cols + c - Cols], pe_wd[r*Cols + c - Cols]};
          {xv, xf, xl, xd} = xlane;
          {wi, wd} = wlane;
          chv = (r == 0) ? 1'b0 : pe_chv[r*Cols + c - Cols];
          chd = (r == 0) ? '0   : pe_chd[r*Cols + c - Cols];
`ifndef SYNTHESIS
          // A column load must not meet a result still shifting down from above (it would be
          // lost: the OS last-beat spacing contract). Checked here, on the values before the
          // edge, because the PEs' registers change during this process.
          if (load[c] && chv) begin
            $error("PECOS_ASSERT %s failed: %s", "PeOsNoResultLost", "load_i |-> !ch_valid_i");
          end
`endif
          // Drain chain (reads res before the capture below).
          if (load[c]) begin
            pe_chv[r*Cols + c] = 1'b1;
            pe_chd[r*Cols + c] = pe_res[r*Cols + c];
          end else begin
            pe_chv[r*Cols + c] = chv;
            if (chv) pe_chd[r*Cols + c] = chd;
          end
          // Capture (reads acc before stage 2 below).
          if (pe_last2[r*Cols + c]) pe_res[r*Cols + c] = pe_acc[r*Cols + c];
          pe_cap[r*Cols + c]   = pe_last2[r*Cols + c];
          pe_last2[r*Cols + c] = pe_xv[r*Cols + c] && pe_xl[r*Cols + c];
          // Stage 2 (reads stage 1, first and init of the beat before the edge).
          if (pe_xv[r*Cols + c]) begin
            addend = pe_xf[r*Cols + c] ? pe_wi[r*Cols + c] : pe_acc[r*Cols + c];
            if (DType == 0) pe_acc[r*Cols + c] = mac_sum(addend, pe_prod[r*Cols + c][15:0],
                                                         pe_gated[r*Cols + c]);
            else            pe_acc[r*Cols + c] = fma_add(FmaProdW'(pe_prod[r*Cols + c]), addend);
          end
          // Stage 1, and the lanes. Lane payloads hold while their lane is idle.
          pe_xv[r*Cols + c] = xv;
          if (xv) begin
            pe_xf[r*Cols + c] = xf;
            pe_xl[r*Cols + c] = xl;
            pe_xd[r*Cols + c] = xd;
            pe_wd[r*Cols + c] = wd;
            if (xf) pe_wi[r*Cols + c] = wi;
            if (DType == 0) begin
              pe_gated[r*Cols + c] = mac_gated(xd[7:0], wd[7:0]);
              if (!pe_gated[r*Cols + c])
                pe_prod[r*Cols + c] = ProdW'(mac_product(xd[7:0], wd[7:0]));
            end else begin
              pe_prod[r*Cols + c] = ProdW'(fma_mul(16'(xd), 16'(wd)));
            end
          end
          busy = busy + PeCntW'(xv);
        end
      end
      for (int c = 0; c < Cols; c++) bot_ch[c*32 +: 32] = pe_chd[(Rows-1)*Cols + c];
      bot_ch_q  <= bot_ch;
      bot_chv_q <= pe_chv[Pes-1];
      busy_pes  <= busy;
    end
  end
  /* verilator lint_on BLKSEQ */

  // Output deskew: column c waits Cols-1-c cycles so that a pixel row leaves together.
  for (genvar c = 0; c < Cols; c++) begin : g_deskew
    pecos_delay #(.Width(32), .Depth(Cols - 1 - c)) u_deskew (
      .clk_i  (clk_i),
      .rst_ni (rst_ni),
      .d_i    (bot_ch_q[c*32 +: 32]),
      .q_o    (out_psum_o[c*32 +: 32])
    );
  end

  // The last column needs no deskew, so its chain's valid is the output row's valid.
  assign out_valid_o = bot_chv_q;

  // ----------------------------------------------------------------------------------------
  // Performance counters
  // ----------------------------------------------------------------------------------------
  // busy_pes (above): PEs whose multiplier holds a valid product this cycle.

  // Gated MACs (int8, the PE loop above): a beat meets PE(r,c) with x of row r and w of column c, so
  // it gates every PE but those of a nonzero x and a nonzero w: Rows*Cols - nx*nw, counted as
  // it enters.
  logic [PeCntW-1:0] gated;
  if (DType == 0) begin : g_gate
    localparam int NxW = $clog2(Rows + 1), NwW = $clog2(Cols + 1);
    logic [NxW-1:0] nx;
    logic [NwW-1:0] nw;
    always_comb begin
      nx = '0;
      nw = '0;
      for (int r = 0; r < Rows; r++) nx = nx + NxW'(in_data_i[r*DW +: DW] != '0);
      for (int c = 0; c < Cols; c++) nw = nw + NwW'(w_data_i[c*DW +: DW] != '0);
      gated = in_valid_i ? PeCntW'(32'(Rows * Cols) - 32'(nx) * 32'(nw)) : '0;
    end
  end else begin : g_no_gate
    // fp: no gating (inf or NaN times zero is NaN, and a signed zero's sum differs)
    assign gated = '0;
  end

  // Beats, busy cycles and MAC slots; an OS block owes Rows output rows after its last beat.
  // The OS array loads no weights: its weight-beat counter stays 0.
  pecos_perf_ctr #(.CntW(PeCntW), .Pes(Rows * Cols), .MaxInflight(3 * Rows + Cols + 2),
                   .OutsPerLast(Rows)) u_perf (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .in_valid_i   (in_valid_i),
    .in_last_i    (in_last_i),
    .w_valid_i    (1'b0),
    .out_valid_i  (out_valid_o),
    .busy_pes_i   (busy_pes),
    .gated_i      (gated),
    .cnt_beats_o  (cnt_beats_o),
    .cnt_wbeats_o (cnt_wbeats_o),
    .cnt_busy_o   (cnt_busy_o),
    .cnt_macs_o   (cnt_macs_o),
    .cnt_gated_o  (cnt_gated_o)
  );

  // ----------------------------------------------------------------------------------------
  // Assertions
  // ----------------------------------------------------------------------------------------
`ifndef SYNTHESIS
  // Framing: a beat without in_first_i continues an open block.
  `PECOS_ASSERT_IMPL(OsBeatInsideBlock, in_valid_i && !in_first_i, u_perf.open)
  // Last-beat spacing: the last beats of consecutive blocks are at least Rows cycles apart.
  // since_last_q: edges since the edge that took the last last-beat (saturates at Rows).
  localparam int SinceW = $clog2(Rows + 1) + 1;
  logic [SinceW-1:0] since_last_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni)                        since_last_q <= SinceW'(Rows);
    else if (in_valid_i && in_last_i)   since_last_q <= SinceW'(1);
    else if (since_last_q < SinceW'(Rows)) since_last_q <= since_last_q + SinceW'(1);
  end
  `PECOS_ASSERT_IMPL(OsLastBeatSpacing, in_valid_i && in_last_i, since_last_q >= SinceW'(Rows))
  // No output valid without a block, none lost: the edge that takes a last beat is followed
  // by Rows output rows set by edges + Rows + Cols + 1 .. + 2 Rows + Cols. After an edge,
  // last_sr_q[k] says whether the edge k earlier took a last beat (low after reset).
  localparam int SrW = 2 * Rows + Cols + 1;
  logic [SrW-1:0] last_sr_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) last_sr_q <= '0;
    else         last_sr_q <= {last_sr_q[SrW-2:0], in_valid_i && in_last_i};
  end
  `PECOS_ASSERT(OsOutValidMatchesBlock, out_valid_o == (|last_sr_q[SrW-1:Rows+Cols+1]))
  // The counters' invariants (rows owed never negative nor above 3 Rows + Cols + 2, busy
  // <= cycles, MAC slots <= busy x PEs) are pecos_perf_ctr's assertions.
  `PECOS_ASSERT(OsBusyPesInRange, 32'(busy_pes) <= 32'(Rows * Cols))
`endif

endmodule
