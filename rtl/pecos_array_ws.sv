// pecos_array_ws: Rows x Cols weight-stationary systolic array. DType 0: int8 x int8 ->
// int32; DType 1/2: bf16/fp16 operands with fp32 accumulation (one fused rounding per PE).
//
// One data beat per cycle carries a reduction vector of Rows values (one im2col
// column slice); every column c holds the weights of one output channel, so a beat
// yields Cols partial sums. Skew and deskew are inside: the host presents and receives
// whole, unskewed vectors.
//
//   in_data_i[r]  ──► skew r ──► PE(r,0) ─► PE(r,1) ─► ... ─► PE(r,Cols-1)
//                                  │          │                 │
//   in_psum_i[c] ──► skew c+1 ────►▼          ▼                 ▼   (psums flow down)
//                                 ...        ...               ...
//                                  ▼          ▼                 ▼
//                           deskew Cols-1   Cols-2     ...      0  ──► out_psum_o[c]
//
// Timing contract (the host's cycle loop and models/cycle_model.c rely on it):
//   - A data beat presented in cycle t (sampled at clock edge t) produces out_psum_o, with
//     out_valid_o, after edge t + Latency, Latency = Rows + Cols - 1:
//     int8: out_psum_o[c] = in_psum_i[c] + sum_r in_data_i[r] * W[bank][r][c] (mod 2^32);
//     fp:   acc = in_psum_i[c]; for r = 0..Rows-1: acc = fma(in_data_i[r], W[bank][r][c], acc).
//   - A weight beat (w_col_i, w_bank_i, one operand per row) presented in cycle u writes
//     W[w_bank_i][r][w_col_i] for every r; it is visible to data beats presented in a cycle
//     t > u and never to beats presented in a cycle t <= u (writes and data travel the same
//     skewed path, so this holds in every PE).
//   - One data beat and one weight beat may be presented in the same cycle; there is no
//     back-pressure.
// Lane packing: in_data_i[r*DW +: DW], w_data_i[r*DW +: DW], in_psum_i/out_psum_o[c*32 +: 32]
// (int32, or fp32 bit patterns), DW = 8 for int8 and 16 for bf16/fp16.
`include "pecos_assert.svh"

module pecos_array_ws #(
  parameter int Rows  = 16,
  parameter int Cols  = 16,
  parameter int DType = 0,                     // 0 int8, 1 bf16, 2 fp16
  parameter int DW    = (DType == 0) ? 8 : 16  // derived: do not override
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  // Weight lane
  input  logic               w_valid_i,
  input  logic               w_bank_i,
  input  logic [15:0]        w_col_i,
  input  logic [Rows*DW-1:0] w_data_i,
  // Data lane
  input  logic               in_valid_i,
  input  logic               in_bank_i,
  input  logic [Rows*DW-1:0] in_data_i,
  input  logic [Cols*32-1:0] in_psum_i,
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
  `PECOS_ASSERT_PARAM(WsSizeInRange, Rows >= 1 && Rows <= 256 && Cols >= 1 && Cols <= 256)
  `PECOS_ASSERT_PARAM(WsDTypeInRange, DType >= 0 && DType <= 2 && DW == ((DType == 0) ? 8 : 16))

  localparam int ColIdxW = (Cols > 1) ? $clog2(Cols) : 1;
  localparam int WLaneW  = 2 + ColIdxW + DW;  // {valid, bank, col, data}
  localparam int XLaneW  = 2 + DW;            // {valid, bank, data}

  // Links. One unpacked array per lane field, each element its own variable: not a slice of
  // one wide vector (a simulator would re-evaluate the wide vector as a whole on every
  // change), and not a packed {valid, bank, ...} lane either (a simulator then rebuilds the
  // lane bit field by bit field behind every PE and takes it apart again in the next one).
  // Horizontal index r*(Cols+1) + c is the input of PE(r,c); c = Cols is the right edge.
  // Vertical index r*Cols + c is the psum into PE(r,c); r = Rows is the bottom edge.
  logic               wv [Rows*(Cols+1)];   // weight lane: valid
  logic               wb [Rows*(Cols+1)];   //              bank
  logic [ColIdxW-1:0] wc [Rows*(Cols+1)];   //              column
  logic [DW-1:0]      wd [Rows*(Cols+1)];   //              operand
  logic               xv [Rows*(Cols+1)];   // data lane:   valid
  logic               xb [Rows*(Cols+1)];   //              bank
  logic [DW-1:0]      xd [Rows*(Cols+1)];   //              operand
  logic [31:0]        plane [(Rows+1)*Cols];
  logic               pvalid [Rows*Cols];    // psum_valid of every PE

  logic [ColIdxW-1:0] w_col;
  assign w_col = w_col_i[ColIdxW-1:0];

  // The upper w_col_i bits are not used (WsWeightColInRange checks that they are 0).
  logic unused_w_col;
  assign unused_w_col = ^w_col_i;

  // ----------------------------------------------------------------------------------------
  // Datapath: skew, PE grid, deskew
  // ----------------------------------------------------------------------------------------
  // Input skew: row r is delayed by r cycles (weight and data lanes alike).
  for (genvar r = 0; r < Rows; r++) begin : g_skew
    pecos_delay #(.Width(WLaneW + XLaneW), .Depth(r)) u_skew (
      .clk_i  (clk_i),
      .rst_ni (rst_ni),
      .d_i    ({w_valid_i, w_bank_i, w_col, w_data_i[r*DW +: DW],
                in_valid_i, in_bank_i, in_data_i[r*DW +: DW]}),
      .q_o    ({wv[r*(Cols+1)], wb[r*(Cols+1)], wc[r*(Cols+1)], wd[r*(Cols+1)],
                xv[r*(Cols+1)], xb[r*(Cols+1)], xd[r*(Cols+1)]})
    );
  end

  // Psum skew: column c's initial psum meets PE(0,c)'s product c+1 cycles later.
  for (genvar c = 0; c < Cols; c++) begin : g_pskew
    pecos_delay #(.Width(32), .Depth(c + 1)) u_pskew (
      .clk_i  (clk_i),
      .rst_ni (rst_ni),
      .d_i    (in_psum_i[c*32 +: 32]),
      .q_o    (plane[c])
    );
  end

  // PE grid
  for (genvar r = 0; r < Rows; r++) begin : g_row
    for (genvar c = 0; c < Cols; c++) begin : g_col
      localparam int Hi = r * (Cols + 1) + c;   // this PE's horizontal input
      localparam int Ho = Hi + 1;               // its horizontal output
      pecos_pe_ws #(.DType(DType), .DW(DW), .ColIdxW(ColIdxW), .Col(c)) u_pe (
        .clk_i        (clk_i),
        .rst_ni       (rst_ni),
        .w_valid_i    (wv[Hi]),
        .w_bank_i     (wb[Hi]),
        .w_col_i      (wc[Hi]),
        .w_data_i     (wd[Hi]),
        .x_valid_i    (xv[Hi]),
        .x_bank_i     (xb[Hi]),
        .x_data_i     (xd[Hi]),
        .psum_i       (plane[r*Cols + c]),
        .w_valid_o    (wv[Ho]),
        .w_bank_o     (wb[Ho]),
        .w_col_o      (wc[Ho]),
        .w_data_o     (wd[Ho]),
        .x_valid_o    (xv[Ho]),
        .x_bank_o     (xb[Ho]),
        .x_data_o     (xd[Ho]),
        .psum_valid_o (pvalid[r*Cols + c]),
        .psum_o       (plane[(r+1)*Cols + c])
      );
    end
  end

  // Output deskew: column c waits Cols-1-c cycles so that a beat's sums leave together.
  for (genvar c = 0; c < Cols; c++) begin : g_deskew
    pecos_delay #(.Width(32), .Depth(Cols - 1 - c)) u_deskew (
      .clk_i  (clk_i),
      .rst_ni (rst_ni),
      .d_i    (plane[Rows*Cols + c]),
      .q_o    (out_psum_o[c*32 +: 32])
    );
  end

  // The last column needs no deskew, so its bottom valid is the beat's valid.
  assign out_valid_o = pvalid[(Rows-1)*Cols + Cols-1];

  // ----------------------------------------------------------------------------------------
  // Performance counters
  // ----------------------------------------------------------------------------------------
  // PEs whose multiplier holds a valid product this cycle. PE(r,c) holds one exactly when a
  // data beat was taken r + c edges before the last (r skew stages, c pass registers, then
  // the product stage), so the count is a sum over the anti-diagonals d = r + c of the array,
  // each weighted by its number of PEs, of a shift register of in_valid_i: one adder per
  // diagonal instead of one per PE (and a simulator reads Rows + Cols - 1 bits per cycle
  // instead of every PE's flag). After an edge, beat_sr_q[k] is the in_valid_i sampled k
  // edges earlier (low after reset); WsOutValidMatchesBeat checks the PEs' own valid
  // pipeline against it.
  localparam int Lat    = Rows + Cols - 1;
  localparam int PeCntW = $clog2(Rows * Cols + 1);
  logic [Lat:0] beat_sr_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) beat_sr_q <= '0;
    else         beat_sr_q <= {beat_sr_q[Lat-1:0], in_valid_i};
  end

  // Anti-diagonal d (r + c = d) holds the PEs of rows max(0, d - (Cols-1)) .. min(d, Rows-1).
  logic [PeCntW-1:0] busy_pes;
  always_comb begin
    busy_pes = '0;
    for (int d = 0; d < Lat; d++) begin
      if (beat_sr_q[d]) begin
        busy_pes = busy_pes + PeCntW'(((d < Rows - 1) ? d : Rows - 1)
                                      - ((d > Cols - 1) ? d - (Cols - 1) : 0) + 1);
      end
    end
  end

  // Gated MACs (int8, pecos_mac): PE(r,c) gates a beat's MAC when the beat's operand of row
  // r or its held operand of the beat's bank is zero. The beats and the held-operand writes
  // travel the same skewed path, so a beat meets exactly the writes taken before its own
  // edge: its gated MACs are counted as it enters, Cols for a zero operand of row r, else
  // the zero held operands of row r of its bank. Per bank and row, zero_q keeps which held
  // operands are zero and nzero_q how many (the PEs' held registers reset to zero).
  localparam int ZcW = $clog2(Cols + 1);
  logic [PeCntW-1:0] gated;
  if (DType == 0) begin : g_gate
    logic [Cols-1:0] zero_q  [2 * Rows];  // [bank * Rows + r][c]
    logic [ZcW-1:0]  nzero_q [2 * Rows];
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        for (int i = 0; i < 2 * Rows; i++) begin
          zero_q[i]  <= '1;
          nzero_q[i] <= ZcW'(Cols);
        end
      end else if (w_valid_i) begin
        for (int r = 0; r < Rows; r++) begin
          zero_q[32'(w_bank_i) * Rows + r][w_col] <= w_data_i[r*DW +: DW] == '0;
          nzero_q[32'(w_bank_i) * Rows + r] <= nzero_q[32'(w_bank_i) * Rows + r]
                                               - ZcW'(zero_q[32'(w_bank_i) * Rows + r][w_col])
                                               + ZcW'(w_data_i[r*DW +: DW] == '0);
        end
      end
    end
    always_comb begin
      gated = '0;
      if (in_valid_i) begin
        for (int r = 0; r < Rows; r++) begin
          gated = gated + ((in_data_i[r*DW +: DW] == '0) ? PeCntW'(Cols)
                                                         : PeCntW'(nzero_q[32'(in_bank_i) * Rows + r]));
        end
      end
    end
  end else begin : g_no_gate
    // fp: no gating (inf or NaN times zero is NaN, and a signed zero's sum differs)
    assign gated = '0;
  end

  pecos_perf_ctr #(.CntW(PeCntW), .Pes(Rows * Cols), .MaxInflight(Rows + Cols + 1)) u_perf (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .in_valid_i   (in_valid_i),
    .in_last_i    (1'b0),
    .w_valid_i    (w_valid_i),
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
  // A weight beat addresses an existing column (the upper bits are dropped above).
  `PECOS_ASSERT_IMPL(WsWeightColInRange, w_valid_i, 32'(w_col_i) < 32'(Cols))
  // No output valid without a matching beat, none lost: out_valid_o is set by the edge
  // Latency = Rows + Cols - 1 edges after the one that took the beat (beat_sr_q above).
  `PECOS_ASSERT(WsOutValidMatchesBeat, out_valid_o == beat_sr_q[Lat])
`endif

endmodule
