// pecos_pe_os: one output-stationary processing element. It owns one output (one pixel of
// one output channel) and accumulates it over a block of beats, then hands the result to
// its column's drain chain while the next block already accumulates (double buffered).
//
// DType selects the arithmetic: 0 int8 x int8 -> int32 (pecos_mac), 1 bf16 and 2 fp16
// operands with fp32 accumulation (pecos_fma). Both units have the same two-stage timing.
//
//                       w_data_i, w_init_i (from above)
//                              │
//   x_*_i (valid, first, ──────┼──► [x regs] ──► x_*_o (to the right)
//          last, data)         │
//                              ├──► [w regs] ──► w_*_o (down; w_init_q = stage-2 init)
//                              ▼
//            stage 1: prod = x * w                       (pecos_mac / pecos_fma)
//            stage 2: acc  = (first ? init : acc) + prod (first, init: this PE's pass regs)
//                              │ last beat
//                              ▼
//                            res_q ──(load_i)──► ch_q ──► ch_*_o (to the PE below)
//                                  ch_*_i ──────┘ (from the PE above, when not loading)
//
// Timing (edge e samples this PE's inputs x_*_i, w_*_i):
//   - edge e    : stage 1 (product); the pass registers take x, first, last and w, and init
//                 on a first beat only.
//   - edge e+1  : stage 2, acc = addend + prod; addend = w_init_q if x_first_q else acc.
//   - edge e+2  : if that beat was last: res_q <= acc, and cap_o is high for one cycle.
//   - ch_q      : on an edge with load_i, ch_q <= res_q (valid); otherwise it shifts from
//                 the PE above (ch_*_i), so the column drains bottom PE first.
// A beat's x and w reach every PE in the same cycle (both are skewed by r + c), so the x
// lane's valid also gates the w lane; the w lane carries no valid bit of its own.
`include "pecos_assert.svh"

module pecos_pe_os #(
  parameter int DType = 0,  // 0 int8, 1 bf16, 2 fp16
  parameter int DW    = 8   // operand width: 8 for int8, 16 otherwise
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  // Data lane from the left
  input  logic          x_valid_i,
  input  logic          x_first_i,
  input  logic          x_last_i,
  input  logic [DW-1:0] x_data_i,
  // Weight lane from above (valid with x_valid_i)
  input  logic [DW-1:0] w_data_i,
  input  logic [31:0]   w_init_i,
  // Drain chain
  input  logic          load_i,      // the column captures every res_q this edge
  input  logic          ch_valid_i,  // from the PE above
  input  logic [31:0]   ch_data_i,
  // To the right
  output logic          x_valid_o,
  output logic          x_first_o,
  output logic          x_last_o,
  output logic [DW-1:0] x_data_o,
  // Downward
  output logic [DW-1:0] w_data_o,
  output logic [31:0]   w_init_o,
  output logic          ch_valid_o,
  output logic [31:0]   ch_data_o,
  // Status
  output logic          mac_busy_o,  // stage 1 holds a valid product
  output logic          cap_o        // res_q was loaded with a block's result at the last edge
);

  // ----------------------------------------------------------------------------------------
  // Parameters
  // ----------------------------------------------------------------------------------------
  `PECOS_ASSERT_PARAM(PeOsDTypeInRange, DType >= 0 && DType <= 2 && DW == ((DType == 0) ? 8 : 16))

  // ----------------------------------------------------------------------------------------
  // Registers: pass-through lanes (they also delay first and init to stage 2)
  // ----------------------------------------------------------------------------------------
  logic          x_valid_q, x_first_q, x_last_q;
  logic [DW-1:0] x_data_q, w_data_q;
  logic [31:0]   w_init_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      x_valid_q <= 1'b0;
      x_first_q <= 1'b0;
      x_last_q  <= 1'b0;
      x_data_q  <= '0;
      w_data_q  <= '0;
      w_init_q  <= '0;
    end else begin
      // Lane payloads hold while their lane is idle (a gated clock in silicon).
      x_valid_q <= x_valid_i;
      if (x_valid_i) begin
        x_first_q <= x_first_i;
        x_last_q  <= x_last_i;
        x_data_q  <= x_data_i;
        w_data_q  <= w_data_i;
      end
      // The initial accumulator matters on first beats only: latching it then saves 32
      // register bits per PE per beat. The PE below samples it one cycle later, before
      // this PE's next first beat can replace it.
      if (x_valid_i && x_first_i) begin
        w_init_q <= w_init_i;
      end
    end
  end

  assign x_valid_o = x_valid_q;
  assign x_first_o = x_first_q;
  assign x_last_o  = x_last_q;
  assign x_data_o  = x_data_q;
  assign w_data_o  = w_data_q;
  assign w_init_o  = w_init_q;

  // ----------------------------------------------------------------------------------------
  // Datapath
  // ----------------------------------------------------------------------------------------
  // Stage 1 samples x_*_i and w_data_i; stage 2 adds the product to the addend.
  // x_first_q and w_init_q were sampled at the stage-1 edge and hold until the next beat,
  // so they belong to the product in stage 2.
  logic        acc_valid;
  logic [31:0] acc, addend;
  assign addend = x_first_q ? w_init_q : acc;

  if (DType == 0) begin : g_int8
    pecos_mac u_mac (
      .clk_i        (clk_i),
      .rst_ni       (rst_ni),
      .valid_i      (x_valid_i),
      .a_i          (x_data_i),
      .b_i          (w_data_i),
      .acc_i        (addend),
      .prod_valid_o (mac_busy_o),
      .valid_o      (acc_valid),
      .acc_o        (acc)
    );
  end else begin : g_fp
    pecos_fma #(.Fmt(DType - 1), .Ftz(0)) u_fma (
      .clk_i        (clk_i),
      .rst_ni       (rst_ni),
      .valid_i      (x_valid_i),
      .a_i          (x_data_i),
      .b_i          (w_data_i),
      .c_i          (addend),
      .prod_valid_o (mac_busy_o),
      .valid_o      (acc_valid),
      .y_o          (acc)
    );
  end

  // ----------------------------------------------------------------------------------------
  // Control: result capture and drain chain
  // ----------------------------------------------------------------------------------------
  // Stage 2 of a last beat (x_valid_q is the stage-1 valid, x_last_q its flag).
  logic        last_q2, cap_q;
  logic [31:0] res_q;
  logic        ch_valid_q;
  logic [31:0] ch_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      last_q2    <= 1'b0;
      cap_q      <= 1'b0;
      res_q      <= '0;
      ch_valid_q <= 1'b0;
      ch_q       <= '0;
    end else begin
      last_q2 <= x_valid_q && x_last_q;
      cap_q   <= last_q2;
      if (last_q2) begin
        res_q <= acc;
      end
      if (load_i) begin
        ch_valid_q <= 1'b1;
        ch_q       <= res_q;
      end else begin
        ch_valid_q <= ch_valid_i;
        if (ch_valid_i) begin
          ch_q <= ch_data_i;
        end
      end
    end
  end

  assign cap_o      = cap_q;
  assign ch_valid_o = ch_valid_q;
  assign ch_data_o  = ch_q;

  // acc_valid is implied by the pipeline (it follows x_valid_q by one edge): only the
  // assertion below reads it.
  logic unused_acc_valid;
  assign unused_acc_valid = acc_valid;

  // ----------------------------------------------------------------------------------------
  // Assertions
  // ----------------------------------------------------------------------------------------
`ifndef SYNTHESIS
  // A column load must not meet a result still shifting down from above (it would be lost:
  // the OS last-beat spacing contract); stage 2 always has its product.
  `PECOS_ASSERT_IMPL(PeOsNoResultLost, load_i, !ch_valid_i)
  `PECOS_ASSERT_IMPL(PeOsSumHasProduct, last_q2, acc_valid)
`endif

endmodule
