// pecos_fma: pipelined fused multiply-add y = c + a * b with 16-bit floating-point operands
// a, b and an fp32 addend c and result y, rounded ONCE (IEEE 754-2008 roundTiesToEven).
//
// Formats (sign | exponent | fraction, bias):
//   Fmt 0  bfloat16        1 |  8 |  7   bias 127
//   Fmt 1  IEEE binary16   1 |  5 | 10   bias 15
//   c, y   IEEE binary32   1 |  8 | 23   bias 127
//
// Pipeline (the same two stages as the int8 MAC of the arrays' PEs):
//
//   cycle t   : valid_i, a_i, b_i ──► decode, exact product, normalize ──► prod_*_q (stage 1)
//   cycle t+1 : c_i (psum from above) ─┐                                   prod_valid_o = 1
//               prod_*_q ──────────────┴► align, add, normalize, round ──► y_q       (stage 2)
//   after t+1 : y_o valid, valid_o = 1
//
// Stage 1 holds the EXACT product: sign, a 12-bit signed exponent (a bf16 product spans
// 2^-266 .. 2^256, beyond the fp32 range) and the full 16-bit (bf16) or 22-bit (fp16)
// significand, normalized so that its top bit is set; it is never rounded.
// Stage 2 aligns the product and the normalized addend in a 28-bit window (the operand with
// the larger exponent on top, the other shifted right; the bits shifted out of the window
// are kept as a sticky bit), adds or subtracts, normalizes (down to the fp32 subnormal
// range), and rounds once to nearest, ties to even, with guard and sticky.
//
// Semantics (Ftz = 0): IEEE 754 throughout. Subnormal a, b, c and subnormal results are
// exact (gradual underflow). An overflowing result rounds to +-inf. Infinities propagate;
// any NaN input (quiet or signaling) and every invalid operation (inf * 0, inf - inf) give
// the canonical quiet NaN 32'h7FC0_0000. The product's sign is sign(a) ^ sign(b), also for
// a zero product. An exact zero sum of operands with opposite signs (x - x) is +0; the sum
// of two zeros with the same sign keeps that sign ((-0) + (-0) = -0).
//
// Ftz = 1 (flush to zero, an extra mode; not IEEE):
//   - a subnormal a, b or c (exponent field 0, fraction != 0) is replaced by a zero of the
//     same sign before anything else (so inf * subnormal is NaN, like inf * 0);
//   - the result is first computed exactly as above; if that IEEE result is subnormal
//     (exponent field 0, fraction != 0, i.e. tininess is judged AFTER rounding), it is
//     replaced by a zero of the same sign. A result that rounds up to 2^-126 is kept.
`include "pecos_assert.svh"

module pecos_fma #(
  parameter int Fmt = 0,  // 0: bfloat16 (1-8-7), 1: IEEE binary16 (1-5-10)
  parameter int Ftz = 0   // 1: flush subnormal inputs and results to signed zero (see above)
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  // Stage 1 operands
  input  logic        valid_i,
  input  logic [15:0] a_i,
  input  logic [15:0] b_i,
  // Stage 2 addend (fp32), one cycle after its operands, like the int8 MAC's psum
  input  logic [31:0] c_i,
  // Results
  output logic        prod_valid_o,  // stage 1 holds a valid product (the unit is busy)
  output logic        valid_o,       // y_o holds a valid result
  output logic [31:0] y_o            // fp32 round(c + a * b)
);

  // ----------------------------------------------------------------------------------------
  // Parameters
  // ----------------------------------------------------------------------------------------
  `PECOS_ASSERT_PARAM(FmaParamsInRange, (Fmt == 0 || Fmt == 1) && (Ftz == 0 || Ftz == 1))

  // The arithmetic: fma_mul (stage 1) and fma_add (stage 2), shared with pecos_array_ws.
  localparam int FmaFmt = Fmt;
  localparam int FmaFtz = Ftz;
  `include "pecos_fma_fn.svh"

  // ----------------------------------------------------------------------------------------
  // Registers, stage 1: the exact product {sign, exponent, significand, zero, inf, nan}
  // ----------------------------------------------------------------------------------------
  logic                prod_valid_q;
  logic [FmaProdW-1:0] prod_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      prod_valid_q <= 1'b0;
      prod_q       <= '0;
    end else begin
      prod_valid_q <= valid_i;
      if (valid_i) begin
        prod_q <= fma_mul(a_i, b_i);
      end
    end
  end

  // ----------------------------------------------------------------------------------------
  // Datapath, stage 2: align, add, normalize, round (fma_add)
  // ----------------------------------------------------------------------------------------
  logic [31:0] y_d;
  assign y_d = fma_add(prod_q, c_i);

  // ----------------------------------------------------------------------------------------
  // Registers, stage 2: the result
  // ----------------------------------------------------------------------------------------
  logic        y_valid_q;
  logic [31:0] y_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      y_valid_q <= 1'b0;
      y_q       <= '0;
    end else begin
      y_valid_q <= prod_valid_q;
      if (prod_valid_q) begin
        y_q <= y_d;
      end
    end
  end

  assign prod_valid_o = prod_valid_q;
  assign valid_o      = y_valid_q;
  assign y_o          = y_q;

  // ----------------------------------------------------------------------------------------
  // Assertions
  // ----------------------------------------------------------------------------------------
`ifndef SYNTHESIS
  // Per-cycle checks of one unit: in an array there is one per PE, so the verilated arrays
  // leave them out (PECOS_NO_PE_ASSERT, cmake/variant.cmake: they doubled the model's cost);
  // the unit's testbenches, mutation and coverage builds keep them.
`ifndef PECOS_NO_PE_ASSERT
  // Every NaN result is the canonical quiet NaN; with Ftz, no subnormal result.
  `PECOS_ASSERT_IMPL(FmaNaNCanonical, y_valid_q && y_q[30:23] == 8'hFF && y_q[22:0] != '0, y_q == FmaQNaN)
  `PECOS_ASSERT_IMPL(FmaNoSubnormalWithFtz, y_valid_q && FmaFtzOn, y_q[30:23] != 8'h00 || y_q[22:0] == '0)
  // The valid flags follow the pipeline and are low after reset.
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
  `PECOS_ASSERT(FmaProductFollowsOperands, prod_valid_q == valid_past_q)
  `PECOS_ASSERT(FmaSumFollowsProduct, y_valid_q == prod_valid_past_q)
`endif  // PECOS_NO_PE_ASSERT
`endif

endmodule
