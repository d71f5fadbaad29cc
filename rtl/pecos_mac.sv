// pecos_mac: pipelined signed int8 x int8 multiply-accumulate into int32.
//
//   cycle a   : a_i, b_i, valid_i presented       -> prod_q   = a_i * b_i   (stage 1)
//   cycle a+1 : acc_i presented (psum from above) -> acc_q    = acc_i + prod_q (stage 2)
//
// In the systolic column the psum of the PE above becomes valid exactly one cycle after
// this PE's operands arrive, so the two stages line up without extra registers.
// The accumulator wraps modulo 2^32 (two's complement), like the golden model.
//
// Zero gating: when a_i or b_i is zero the product register is not written (the
// multiplier's result does not toggle it) and stage 2 adds zero instead; the sum is the
// same. The arrays count these gated MACs (pecos_perf_ctr cnt_gated_o).
`include "pecos_assert.svh"

module pecos_mac (
  input  logic               clk_i,
  input  logic               rst_ni,
  // Stage 1 operands
  input  logic               valid_i,
  input  logic signed [7:0]  a_i,
  input  logic signed [7:0]  b_i,
  // Stage 2 addend, one cycle after the operands
  input  logic signed [31:0] acc_i,
  // Results
  output logic               prod_valid_o,  // stage 1 holds a valid product (a MAC is busy)
  output logic               valid_o,       // acc_o holds a valid sum
  output logic signed [31:0] acc_o
);

  // ----------------------------------------------------------------------------------------
  // Registers
  // ----------------------------------------------------------------------------------------
  logic signed [15:0] prod_q;
  logic               prod_valid_q;
  logic               gated_q;       // stage 1's product is gated: an operand was zero
  logic signed [31:0] acc_q;
  logic               acc_valid_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      prod_q       <= '0;
      prod_valid_q <= 1'b0;
      gated_q      <= 1'b0;
      acc_q        <= '0;
      acc_valid_q  <= 1'b0;
    end else begin
      prod_valid_q <= valid_i;
      if (valid_i) begin
        gated_q <= a_i == '0 || b_i == '0;
        if (a_i != '0 && b_i != '0) begin
          // The same bits as a_i * b_i; Verilator's signed multiply below 32 bits extends
          // each operand twice, at 32 bits once.
          prod_q <= 16'(32'(a_i) * 32'(b_i));
        end
      end
      acc_valid_q <= prod_valid_q;
      if (prod_valid_q) begin
        acc_q <= acc_i + (gated_q ? 32'd0 : 32'(prod_q));
      end
    end
  end

  // ----------------------------------------------------------------------------------------
  // Outputs
  // ----------------------------------------------------------------------------------------
  assign prod_valid_o = prod_valid_q;
  assign valid_o      = acc_valid_q;
  assign acc_o        = acc_q;

  // ----------------------------------------------------------------------------------------
  // Assertions
  // ----------------------------------------------------------------------------------------
`ifndef SYNTHESIS
`ifndef PECOS_NO_PE_ASSERT  // one per PE in an array: left out of the verilated arrays (pecos_fma.sv)
  // The valid flags follow the pipeline and are low after reset: valid_past_q is valid_i
  // of the previous edge, prod_valid_past_q prod_valid_q's.
  logic valid_past_q, prod_valid_past_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_past_q      <= 1'b0;
      prod_valid_past_q <= 1'b0;
    end else begin
      valid_past_q      <= valid_i;
      prod_valid_past_q <= prod_valid_q;
    end
  end
  `PECOS_ASSERT(MacProductFollowsOperands, prod_valid_q == valid_past_q)
  `PECOS_ASSERT(MacSumFollowsProduct, acc_valid_q == prod_valid_past_q)
  // Zero gating: a gated beat leaves the product register as it was (the multiplier does
  // not toggle it); prod_past_q is prod_q before the last edge.
  logic signed [15:0] prod_past_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) prod_past_q <= '0;
    else         prod_past_q <= prod_q;
  end
  `PECOS_ASSERT_IMPL(MacGatedProductHolds, prod_valid_q && gated_q, prod_q == prod_past_q)
`endif  // PECOS_NO_PE_ASSERT
`endif

endmodule
