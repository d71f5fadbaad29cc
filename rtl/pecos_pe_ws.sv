// pecos_pe_ws: one weight-stationary processing element.
//
// DType selects the arithmetic: 0 int8 x int8 -> int32 (pecos_mac), 1 bf16 and 2 fp16
// operands with fp32 accumulation (pecos_fma). Both units have the same two-stage timing,
// so the array around the PE is the same for every type.
//
// Two weight registers (banks) let the next fold's weights be written while the current
// fold computes. A weight write and a data beat travel the same left-to-right path with
// the same delay, so a write issued after the last beat that uses a bank can never
// overtake that beat, and a beat issued after its weights were written always sees them.
//
//            w_*_i, x_*_i ──► [regs] ──► w_*_o, x_*_o  (to the PE on the right)
//                               │
//               psum_i (from above)
//                  │            ▼
//                  └──────► pecos_mac ──► psum_o (to the PE below)
`include "pecos_assert.svh"

module pecos_pe_ws #(
  parameter int DType   = 0,  // 0 int8, 1 bf16, 2 fp16
  parameter int DW      = 8,  // operand width: 8 for int8, 16 otherwise
  parameter int ColIdxW = 4,
  parameter int Col     = 0   // this PE's column: the w_col_i value it captures
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  // Weight lane from the left
  input  logic               w_valid_i,
  input  logic               w_bank_i,
  input  logic [ColIdxW-1:0] w_col_i,
  input  logic [DW-1:0]      w_data_i,
  // Data lane from the left
  input  logic               x_valid_i,
  input  logic               x_bank_i,
  input  logic [DW-1:0]      x_data_i,
  // Partial sum from above
  input  logic [31:0]        psum_i,
  // To the right
  output logic               w_valid_o,
  output logic               w_bank_o,
  output logic [ColIdxW-1:0] w_col_o,
  output logic [DW-1:0]      w_data_o,
  output logic               x_valid_o,
  output logic               x_bank_o,
  output logic [DW-1:0]      x_data_o,
  // Downward
  output logic               psum_valid_o,
  output logic [31:0]        psum_o
);

  // ----------------------------------------------------------------------------------------
  // Parameters
  // ----------------------------------------------------------------------------------------
  `PECOS_ASSERT_PARAM(PeWsDTypeInRange, DType >= 0 && DType <= 2 && DW == ((DType == 0) ? 8 : 16))
  `PECOS_ASSERT_PARAM(PeWsColInRange, ColIdxW >= 1 && Col >= 0 && Col < (1 << ColIdxW))

  // ----------------------------------------------------------------------------------------
  // Registers
  // ----------------------------------------------------------------------------------------
  // Weight banks and the pass-through lanes. Each lane's payload is one register,
  // {bank, col, data} and {bank, data}: it moves as one value (a simulator then copies one
  // word per lane and PE instead of one per field).
  localparam int WPayW = 1 + ColIdxW + DW;
  localparam int XPayW = 1 + DW;
  logic [DW-1:0]    w0_q, w1_q;
  logic             w_valid_q;
  logic [WPayW-1:0] w_pay_q;  // {bank, col, data}
  logic [XPayW-1:0] x_pay_q;  // {bank, data}
  logic             prod_valid;  // the MAC's product stage holds x_valid_i of the last edge

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      w0_q      <= '0;
      w1_q      <= '0;
      w_valid_q <= 1'b0;
      w_pay_q   <= '0;
      x_pay_q   <= '0;
    end else begin
      // Lane payloads hold while their lane is idle (a gated clock in silicon).
      w_valid_q <= w_valid_i;
      if (w_valid_i) begin
        w_pay_q <= {w_bank_i, w_col_i, w_data_i};
        if (w_col_i == ColIdxW'(Col)) begin
          if (w_bank_i) w1_q <= w_data_i;
          else          w0_q <= w_data_i;
        end
      end
      if (x_valid_i) x_pay_q <= {x_bank_i, x_data_i};
    end
  end

  assign w_valid_o = w_valid_q;
  assign {w_bank_o, w_col_o, w_data_o} = w_pay_q;
  // The data lane's valid flag to the right is x_valid_i of the last edge: the flop that
  // already holds it is the MAC's product-valid flag, so one flop serves both.
  assign x_valid_o = prod_valid;
  assign {x_bank_o, x_data_o} = x_pay_q;

  // ----------------------------------------------------------------------------------------
  // Datapath
  // ----------------------------------------------------------------------------------------
  logic [DW-1:0] weight;
  assign weight = x_bank_i ? w1_q : w0_q;

  if (DType == 0) begin : g_int8
    pecos_mac u_mac (
      .clk_i        (clk_i),
      .rst_ni       (rst_ni),
      .valid_i      (x_valid_i),
      .a_i          (x_data_i),
      .b_i          (weight),
      .acc_i        (psum_i),
      .prod_valid_o (prod_valid),
      .valid_o      (psum_valid_o),
      .acc_o        (psum_o)
    );
  end else begin : g_fp
    pecos_fma #(.Fmt(DType - 1), .Ftz(0)) u_fma (
      .clk_i        (clk_i),
      .rst_ni       (rst_ni),
      .valid_i      (x_valid_i),
      .a_i          (x_data_i),
      .b_i          (weight),
      .c_i          (psum_i),
      .prod_valid_o (prod_valid),
      .valid_o      (psum_valid_o),
      .y_o          (psum_o)
    );
  end

endmodule
