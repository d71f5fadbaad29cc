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

  // Row r's lanes after the input skew (the lanes into PE(r,0)), and column c's psum after
  // the psum skew (the sum into PE(0,c)). The lanes are packed vectors, one per field and
  // row-indexed: as unpacked arrays read by the PE loop, Yosys 0.23 turned them into
  // registers driven from both sides and synthesized the grid away (242 cells for 4x3).
  logic [Rows-1:0]         sk_wv;   // weight lane: valid
  logic [Rows-1:0]         sk_wb;   //              bank
  logic [Rows*ColIdxW-1:0] sk_wc;   //              column
  logic [Rows*DW-1:0]      sk_wd;   //              operand
  logic [Rows-1:0]         sk_xv;   // data lane:   valid
  logic [Rows-1:0]         sk_xb;   //              bank
  logic [Rows*DW-1:0]      sk_xd;   //              operand
  logic [31:0]             psum_sk [Cols];

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
      .q_o    ({sk_wv[r], sk_wb[r], sk_wc[r*ColIdxW +: ColIdxW], sk_wd[r*DW +: DW], sk_xv[r], sk_xb[r],
                sk_xd[r*DW +: DW]})
    );
  end

  // Psum skew: column c's initial psum meets PE(0,c)'s product c+1 cycles later.
  for (genvar c = 0; c < Cols; c++) begin : g_pskew
    pecos_delay #(.Width(32), .Depth(c + 1)) u_pskew (
      .clk_i  (clk_i),
      .rst_ni (rst_ni),
      .d_i    (in_psum_i[c*32 +: 32]),
      .q_o    (psum_sk[c])
    );
  end

  // PE grid: one process over the PEs' registers, held in unpacked arrays indexed
  // i = r*Cols + c. PE(r,c) reads the lanes of PE(r,c-1) (or row r's skew output for c = 0)
  // and the sum of PE(r-1,c) (or column c's psum skew output for r = 0): only PEs of lower
  // index. The process visits the PEs from the highest index down and assigns each PE's
  // registers at once (blocking), so every PE reads its neighbours' values of before the
  // edge, as with non-blocking assignments. Only this process reads these arrays; what
  // leaves the grid (the bottom row's sums and the last PE's valid) is copied, as it is
  // after the edge, into bot_sum_q and bot_valid_q with non-blocking assignments: the same
  // values at the same edges (synthesis merges them with the PEs' registers; Yosys counts
  // the same flip-flops as with PE instances), and other processes read ordinary flops.
  //
  // Per PE (two stages: pecos_mac_fn.svh for int8, pecos_fma_fn.svh for fp):
  //   weight lane: valid, {bank, col, data} pass to the right; a write whose column is c
  //                loads bank 0 or 1;
  //   data lane:   valid (= the product stage's valid), {bank, data} pass to the right;
  //   stage 1:     on a valid beat, the product of the operand and the held weight of the
  //                beat's bank: int8 a 16-bit product, not written when an operand is zero
  //                (zero gating: gated is set and stage 2 adds 0); fp the exact product
  //                (fma_mul);
  //   stage 2:     one edge later, the sum with the psum from above (int8 mod 2^32, fp
  //                fma_add, rounded once).
  // A loop over arrays instead of Rows x Cols PE instances: Verilator 5.006 emits one copy
  // of the PE's code in a loop instead of one copy per PE (16x16 bf16: 2.2 MB of generated
  // C++ instead of 18.7 MB, 4x the simulation speed; docs/SPEED.md). Two nested loops, rows
  // outside: Verilator unrolls the inner loop (up to 64 columns), so in each copy c is a
  // constant and the choice between the skew and the left PE, and the weight's column match,
  // cost nothing at run time (one loop over i with i % Cols and i / Cols ran 1.7x the
  // instructions). The bf16/fp16 models keep the column loop rolled (cmake/variant.cmake:
  // 16 copies of the FMA outgrow the instruction cache). The index is written out,
  // r*Cols + c, not kept in a variable: Yosys 0.23 then sees constant indices while it
  // unrolls (with a variable it built a decoder for every access: 2.7x the synthesis time
  // and 13% more LUTs for 4x3).
  localparam int FmaFmt = (DType == 2) ? 1 : 0;  // pecos_fma_fn.svh: the fp format
  localparam int FmaFtz = 0;
  `include "pecos_fma_fn.svh"
  `include "pecos_mac_fn.svh"
  localparam int Pes   = Rows * Cols;
  localparam int ProdW = (DType == 0) ? 16 : FmaProdW;  // stage-1 register of one PE

  logic               pe_wv    [Pes];   // weight lane out: valid
  logic               pe_wb    [Pes];   //                  bank
  logic [ColIdxW-1:0] pe_wc    [Pes];   //                  column
  logic [DW-1:0]      pe_wd    [Pes];   //                  operand
  logic [DW-1:0]      pe_w0    [Pes];   // held weights, bank 0
  logic [DW-1:0]      pe_w1    [Pes];   //                    1
  logic               pe_xv    [Pes];   // data lane out: valid (= stage 1 valid)
  logic               pe_xb    [Pes];   //                bank
  logic [DW-1:0]      pe_xd    [Pes];   //                operand
  logic [ProdW-1:0]   pe_prod  [Pes];   // stage 1: product
  logic               pe_gated [Pes];   //          int8: an operand was zero
  logic [31:0]        pe_sum   [Pes];   // stage 2: sum
  logic               pe_sv    [Pes];   //          valid
  logic [Cols*32-1:0] bot_sum_q;        // the bottom row's sums, registered again
  logic               bot_valid_q;      // the last PE's sum valid, registered again

  /* verilator lint_off BLKSEQ */  // the PE registers are assigned at once, see above
  always_ff @(posedge clk_i or negedge rst_ni) begin : p_grid
    logic [Cols*32-1:0] bot_sum;
    if (!rst_ni) begin
      for (int i = 0; i < Pes; i++) begin
        pe_wv[i]    = 1'b0;
        pe_wb[i]    = 1'b0;
        pe_wc[i]    = '0;
        pe_wd[i]    = '0;
        pe_w0[i]    = '0;
        pe_w1[i]    = '0;
        pe_xv[i]    = 1'b0;
        pe_xb[i]    = 1'b0;
        pe_xd[i]    = '0;
        pe_prod[i]  = '0;
        pe_gated[i] = 1'b0;
        pe_sum[i]   = '0;
        pe_sv[i]    = 1'b0;
      end
      bot_sum_q   <= '0;
      bot_valid_q <= 1'b0;
    end else begin
      for (int r = Rows - 1; r >= 0; r--) begin
        for (int c = Cols - 1; c >= 0; c--) begin
          logic               wv, wb, xv, xb;
          logic [ColIdxW-1:0] wc;
          logic [DW-1:0]      wd, xd, w;
          logic [31:0]        psum;
          // Inputs: the lanes from the left, the sum from above (values before the edge).
          if (c == 0) begin
            wv = sk_wv[r];  wb = sk_wb[r];  wc = sk_wc[r * ColIdxW +: ColIdxW];
            wd = sk_wd[r * DW +: DW];  xv = sk_xv[r];  xb = sk_xb[r];  xd = sk_xd[r * DW +: DW];
          end else begin
            wv = pe_wv[r*Cols + c - 1];  wb = pe_wb[r*Cols + c - 1];  wc = pe_wc[r*Cols + c - 1];
            wd = pe_wd[r*Cols + c - 1];  xv = pe_xv[r*Cols + c - 1];  xb = pe_xb[r*Cols + c - 1];
            xd = pe_xd[r*Cols + c - 1];
          end
          psum = (r == 0) ? psum_sk[c] : pe_sum[r*Cols + c - Cols];
          // Stage 2 (reads stage 1 of before the edge).
          pe_sv[r*Cols + c] = pe_xv[r*Cols + c];
          if (pe_xv[r*Cols + c]) begin
            if (DType == 0) pe_sum[r*Cols + c] = mac_sum(psum, pe_prod[r*Cols + c][15:0],
                                                         pe_gated[r*Cols + c]);
            else            pe_sum[r*Cols + c] = fma_add(FmaProdW'(pe_prod[r*Cols + c]), psum);
          end
          // Stage 1, and the data lane. Lane payloads hold while their lane is idle.
          w = xb ? pe_w1[r*Cols + c] : pe_w0[r*Cols + c];
          pe_xv[r*Cols + c] = xv;
          if (xv) begin
            pe_xb[r*Cols + c] = xb;
            pe_xd[r*Cols + c] = xd;
            if (DType == 0) begin
              pe_gated[r*Cols + c] = mac_gated(xd[7:0], w[7:0]);
              if (!pe_gated[r*Cols + c]) pe_prod[r*Cols + c] = ProdW'(mac_product(xd[7:0], w[7:0]));
            end else begin
              pe_prod[r*Cols + c] = ProdW'(fma_mul(16'(xd), 16'(w)));
            end
          end
          // Weight lane, and the held weights.
          pe_wv[r*Cols + c] = wv;
          if (wv) begin
            pe_wb[r*Cols + c] = wb;
            pe_wc[r*Cols + c] = wc;
            pe_wd[r*Cols + c] = wd;
            if (32'(wc) == c) begin
              if (wb) pe_w1[r*Cols + c] = wd;
              else    pe_w0[r*Cols + c] = wd;
            end
          end
        end
      end
      for (int c = 0; c < Cols; c++) bot_sum[c*32 +: 32] = pe_sum[(Rows-1)*Cols + c];
      bot_sum_q   <= bot_sum;
      bot_valid_q <= pe_sv[Pes-1];
    end
  end
  /* verilator lint_on BLKSEQ */

  // Output deskew: column c waits Cols-1-c cycles so that a beat's sums leave together.
  for (genvar c = 0; c < Cols; c++) begin : g_deskew
    pecos_delay #(.Width(32), .Depth(Cols - 1 - c)) u_deskew (
      .clk_i  (clk_i),
      .rst_ni (rst_ni),
      .d_i    (bot_sum_q[c*32 +: 32]),
      .q_o    (out_psum_o[c*32 +: 32])
    );
  end

  // The last column needs no deskew, so its bottom valid is the beat's valid.
  assign out_valid_o = bot_valid_q;

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

  // Gated MACs (int8, the PE loop above): PE(r,c) gates a beat's MAC when the beat's operand of row
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
