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
// In each PE (see pecos_pe_os): beat t reaches PE(r,c) at edge t+r+c (stage 1, product),
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
//           (fp32, one rounding per beat, pecos_fma with Ftz = 0).
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
  localparam int ChW    = 33;       // {valid, data}

  // Links. Each is its own unpacked-array element, not a slice of one wide vector: the
  // simulator would re-evaluate a wide vector as a whole on every change. Horizontal index
  // r*(Cols+1) + c is the input of PE(r,c); c = Cols is the right edge. Vertical index
  // r*Cols + c is the input of PE(r,c) from above; r = Rows is the bottom edge.
  logic [XLaneW-1:0] xlane  [Rows*(Cols+1)];
  logic [WLaneW-1:0] wlane  [(Rows+1)*Cols];
  logic [ChW-1:0]    chlane [(Rows+1)*Cols];
  logic              mac_busy [Rows*Cols];
  logic              cap      [Rows*Cols];
  logic              load     [Cols];

  // ----------------------------------------------------------------------------------------
  // Datapath: skew, PE grid, drain and deskew
  // ----------------------------------------------------------------------------------------
  // Input skew: row r is delayed by r cycles.
  for (genvar r = 0; r < Rows; r++) begin : g_xskew
    pecos_delay #(.Width(XLaneW), .Depth(r)) u_skew (
      .clk_i  (clk_i),
      .rst_ni (rst_ni),
      .d_i    ({in_valid_i, in_first_i, in_last_i, in_data_i[r*DW +: DW]}),
      .q_o    (xlane[r*(Cols+1)])
    );
  end

  // Weight/init skew: column c is delayed by c cycles. The drain chain's top is idle.
  for (genvar c = 0; c < Cols; c++) begin : g_wskew
    pecos_delay #(.Width(WLaneW), .Depth(c)) u_skew (
      .clk_i  (clk_i),
      .rst_ni (rst_ni),
      .d_i    ({in_psum_i[c*32 +: 32], w_data_i[c*DW +: DW]}),
      .q_o    (wlane[c])
    );
    assign chlane[c] = '0;
    // The bottom PE's capture pulse loads the whole column: by then every row has its res.
    assign load[c]   = cap[(Rows-1)*Cols + c];
  end

  // PE grid
  for (genvar r = 0; r < Rows; r++) begin : g_row
    for (genvar c = 0; c < Cols; c++) begin : g_col
      localparam int Hi = r * (Cols + 1) + c;  // this PE's horizontal input
      localparam int Ho = Hi + 1;              // its horizontal output
      localparam int Vi = r * Cols + c;        // its vertical input
      localparam int Vo = Vi + Cols;           // its vertical output
      logic [XLaneW-1:0] xi;
      logic [WLaneW-1:0] wi;
      logic [ChW-1:0]    chi;
      assign xi  = xlane[Hi];
      assign wi  = wlane[Vi];
      assign chi = chlane[Vi];
      pecos_pe_os #(.DType(DType), .DW(DW)) u_pe (
        .clk_i      (clk_i),
        .rst_ni     (rst_ni),
        .x_valid_i  (xi[DW+2]),
        .x_first_i  (xi[DW+1]),
        .x_last_i   (xi[DW]),
        .x_data_i   (xi[DW-1:0]),
        .w_data_i   (wi[DW-1:0]),
        .w_init_i   (wi[DW +: 32]),
        .load_i     (load[c]),
        .ch_valid_i (chi[32]),
        .ch_data_i  (chi[31:0]),
        .x_valid_o  (xlane[Ho][DW+2]),
        .x_first_o  (xlane[Ho][DW+1]),
        .x_last_o   (xlane[Ho][DW]),
        .x_data_o   (xlane[Ho][DW-1:0]),
        .w_data_o   (wlane[Vo][DW-1:0]),
        .w_init_o   (wlane[Vo][DW +: 32]),
        .ch_valid_o (chlane[Vo][32]),
        .ch_data_o  (chlane[Vo][31:0]),
        .mac_busy_o (mac_busy[Vi]),
        .cap_o      (cap[Vi])
      );
    end
  end

  // Output deskew: column c waits Cols-1-c cycles so that a pixel row leaves together.
  for (genvar c = 0; c < Cols; c++) begin : g_deskew
    pecos_delay #(.Width(32), .Depth(Cols - 1 - c)) u_deskew (
      .clk_i  (clk_i),
      .rst_ni (rst_ni),
      .d_i    (chlane[Rows*Cols + c][31:0]),
      .q_o    (out_psum_o[c*32 +: 32])
    );
  end

  // The last column needs no deskew, so its chain's valid is the output row's valid.
  assign out_valid_o = chlane[Rows*Cols + Cols-1][32];

  // ----------------------------------------------------------------------------------------
  // Performance counters
  // ----------------------------------------------------------------------------------------
  // PEs whose multiplier holds a valid product this cycle.
  localparam int PeCntW = $clog2(Rows * Cols + 1);
  logic [PeCntW-1:0] busy_pes;
  always_comb begin
    busy_pes = '0;
    for (int i = 0; i < Rows * Cols; i++) begin
      busy_pes = busy_pes + PeCntW'(mac_busy[i]);
    end
  end

  // Gated MACs (int8, pecos_mac): a beat meets PE(r,c) with x of row r and w of column c, so
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
