// pecos_fma: pipelined fused multiply-add y = c + a * b with 16-bit floating-point operands
// a, b and an fp32 addend c and result y, rounded ONCE (IEEE 754-2008 roundTiesToEven).
//
// Formats (sign | exponent | fraction, bias):
//   Fmt 0  bfloat16        1 |  8 |  7   bias 127
//   Fmt 1  IEEE binary16   1 |  5 | 10   bias 15
//   c, y   IEEE binary32   1 |  8 | 23   bias 127
//
// Pipeline (same timing as pecos_mac, so the PE can use either unit):
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
  // Stage 2 addend (fp32), one cycle after its operands, like acc_i of pecos_mac
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

  // Operand format
  localparam int ExpW  = (Fmt == 0) ? 8 : 5;    // operand exponent field
  localparam int FracW = (Fmt == 0) ? 7 : 10;   // operand fraction field
  localparam int SigW  = FracW + 1;             // significand with the hidden bit
  localparam int ProdW = 2 * SigW;              // exact product significand (16 or 22)
  localparam int Bias  = (1 << (ExpW - 1)) - 1;
  // Internal
  localparam int EW    = 12;                    // signed exponents: -2048 .. 2047
  localparam int WinW  = 28;                    // alignment window, see stage 2
  localparam bit FtzOn = (Ftz != 0);

  localparam logic [31:0] QNaN = 32'h7FC0_0000;

  // Leading zeros of a 32-bit vector (32 for zero). Narrower values are passed left-aligned.
  // A binary search (16, 8, 4, 2, 1 bits), not a loop over the 32 bits: the same function in
  // five steps, which a simulator evaluates in a few operations instead of 32 (the verilated
  // bf16 array ran 1.52x fewer instructions with it).
  function automatic logic [5:0] lzc32(input logic [31:0] x);
    logic [31:0] v;
    logic [5:0]  n;
    v = x;
    n = 6'd0;
    if (v[31:16] == '0) begin n = n + 6'd16; v = v << 16; end
    if (v[31:24] == '0) begin n = n + 6'd8;  v = v << 8;  end
    if (v[31:28] == '0) begin n = n + 6'd4;  v = v << 4;  end
    if (v[31:30] == '0) begin n = n + 6'd2;  v = v << 2;  end
    if (v[31] == 1'b0)  begin n = n + 6'd1;  v = v << 1;  end
    if (v[31] == 1'b0)  n = n + 6'd1;  // x == 0: 31 + 1
    lzc32 = n;  // Yosys 0.23 has no `return`
  endfunction

  // ----------------------------------------------------------------------------------------
  // Datapath, stage 1: decode a and b, exact product, normalize
  // ----------------------------------------------------------------------------------------
  // Unbiased exponents are those of the hidden-bit position: a = a_sig * 2^(a_e - FracW).
  logic [ExpW-1:0]  a_expf, b_expf;
  logic [FracW-1:0] a_frac, b_frac;
  logic             a_sub, b_sub, a_zero, b_zero, a_inf, b_inf, a_nan, b_nan;
  logic [SigW-1:0]  a_sig, b_sig;
  logic [EW-1:0]    a_e, b_e;
  logic [ProdW-1:0] p_raw, p_sig;
  logic [5:0]       p_lz;
  logic [EW-1:0]    p_e;
  logic             p_zero, p_inf, p_nan;

  assign a_expf = a_i[14 -: ExpW];
  assign b_expf = b_i[14 -: ExpW];
  assign a_frac = a_i[FracW-1:0];
  assign b_frac = b_i[FracW-1:0];

  always_comb begin
    a_sub  = (a_expf == '0);
    b_sub  = (b_expf == '0);
    a_zero = a_sub && (a_frac == '0 || FtzOn);
    b_zero = b_sub && (b_frac == '0 || FtzOn);
    a_inf  = (a_expf == '1) && (a_frac == '0);
    b_inf  = (b_expf == '1) && (b_frac == '0);
    a_nan  = (a_expf == '1) && (a_frac != '0);
    b_nan  = (b_expf == '1) && (b_frac != '0);
    a_sig  = a_zero ? '0 : {!a_sub, a_frac};
    b_sig  = b_zero ? '0 : {!b_sub, b_frac};
    a_e    = a_sub ? EW'(1 - Bias) : EW'(a_expf) - EW'(Bias);
    b_e    = b_sub ? EW'(1 - Bias) : EW'(b_expf) - EW'(Bias);

    // The product of the significands is exact; its top bit weighs 2^(a_e + b_e + 1).
    p_raw  = ProdW'(a_sig) * ProdW'(b_sig);
    p_lz   = lzc32(32'(p_raw) << (32 - ProdW));
    p_sig  = p_raw << p_lz;
    p_e    = a_e + b_e + EW'(1) - EW'(p_lz);

    p_nan  = a_nan || b_nan || (a_inf && b_zero) || (a_zero && b_inf);
    p_inf  = (a_inf || b_inf) && !p_nan;
    p_zero = a_zero || b_zero;
  end

  // ----------------------------------------------------------------------------------------
  // Registers, stage 1: the exact product
  // ----------------------------------------------------------------------------------------
  logic             prod_valid_q;
  logic             prod_sign_q;
  logic [EW-1:0]    prod_exp_q;   // weight of prod_sig_q[ProdW-1] is 2^prod_exp_q
  logic [ProdW-1:0] prod_sig_q;   // top bit set unless the product is zero
  logic             prod_zero_q, prod_inf_q, prod_nan_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      prod_valid_q <= 1'b0;
      prod_sign_q  <= 1'b0;
      prod_exp_q   <= '0;
      prod_sig_q   <= '0;
      prod_zero_q  <= 1'b0;
      prod_inf_q   <= 1'b0;
      prod_nan_q   <= 1'b0;
    end else begin
      prod_valid_q <= valid_i;
      if (valid_i) begin
        prod_sign_q <= a_i[15] ^ b_i[15];
        prod_exp_q  <= p_e;
        prod_sig_q  <= p_sig;
        prod_zero_q <= p_zero;
        prod_inf_q  <= p_inf;
        prod_nan_q  <= p_nan;
      end
    end
  end

  // ----------------------------------------------------------------------------------------
  // Datapath, stage 2: decode c, align, add, normalize, round
  // ----------------------------------------------------------------------------------------
  // Window (WinW = 28 bits, bit 27 = carry):
  //
  //    27 26                         3  2  1  0
  //   [cy][x x x x x x ... x x x x x x][. . .  ]   x: larger-exponent operand, MSB at bit 26
  //       [y y y y ... y y]──► shifted right by d = x_e - y_e, bits below 0 -> sticky
  //
  // Nothing is shifted out for d <= 3, which covers d <= 1 where massive cancellation can
  // happen: there the sum is exact. For d >= 2, |x +- y| > 2^25 (in units of bit 0), so
  // the normalized result's 24 bits sit at or above bit 2 and the guard bit at or above
  // bit 1: inside the window (27 bits would be the minimum). A subtraction with sticky
  // computes floor(x - y) = x - y_trunc - 1; the true value lies strictly above it, and
  // the sticky bit carries that into the rounding.
  logic [7:0]        c_expf;
  logic [22:0]       c_frac;
  logic              c_sign, c_sub, c_zero, c_inf, c_nan;
  logic [23:0]       c_raw, c_sig;
  logic [5:0]        c_lz;
  logic [EW-1:0]     c_e;
  logic              x_is_p, x_sign, y_sign, eff_sub;
  logic [EW-1:0]     x_e, y_e, d_raw, d;
  logic [WinW-1:0]   p_win, c_win, x_win, y_win, y_trunc;
  logic [2*WinW-1:0] y_wide;
  logic              y_sticky;
  logic [WinW:0]     sum;
  logic [WinW-1:0]   mag;
  logic              r_sign;
  logic [5:0]        r_lz;
  logic [EW-1:0]     e_lim, sh, rsh, e_top;
  logic              sh_right;
  logic [2*WinW-1:0] n_wide;
  logic [WinW-1:0]   norm;
  logic              n_sticky;
  logic [23:0]       mant;
  logic              guard, sticky, round_up;
  logic [30:0]       packed_r;
  logic              any_nan, inf_sign, zero_sign;
  logic [31:0]       y_d;

  assign c_sign = c_i[31];
  assign c_expf = c_i[30:23];
  assign c_frac = c_i[22:0];

  // Decode and normalize c: c = c_sig * 2^(c_e - 23), c_sig[23] set unless c is zero.
  assign c_sub  = (c_expf == '0);
  assign c_zero = c_sub && (c_frac == '0 || FtzOn);
  assign c_inf  = (c_expf == '1) && (c_frac == '0);
  assign c_nan  = (c_expf == '1) && (c_frac != '0);
  assign c_raw  = c_zero ? '0 : {!c_sub, c_frac};
  assign c_lz   = lzc32({c_raw, 8'b0});
  assign c_sig  = c_raw << c_lz;
  assign c_e    = (c_sub ? EW'(-126) : EW'(c_expf) - EW'(127)) - EW'(c_lz);

  // Both operands with their top bit at WinW-2; x is the one with the larger exponent (or
  // the only nonzero one), its top bit weighs 2^x_e.
  assign p_win   = WinW'(prod_sig_q) << (WinW - 1 - ProdW);
  assign c_win   = WinW'(c_sig) << (WinW - 25);
  assign x_is_p  = !prod_zero_q && (c_zero || $signed(prod_exp_q) >= $signed(c_e));
  assign x_win   = x_is_p ? p_win : c_win;
  assign y_win   = x_is_p ? c_win : p_win;
  assign x_e     = x_is_p ? prod_exp_q : c_e;
  assign y_e     = x_is_p ? c_e : prod_exp_q;
  assign x_sign  = x_is_p ? prod_sign_q : c_sign;
  assign y_sign  = x_is_p ? c_sign : prod_sign_q;
  assign eff_sub = x_sign ^ y_sign;

  // Align y. d >= 0 when both are nonzero; when y is zero its value does not matter.
  assign d_raw    = x_e - y_e;
  assign d        = ($signed(d_raw) > $signed(EW'(WinW)) || $signed(d_raw) < 0) ? EW'(WinW)
                                                                                : d_raw;
  assign y_wide   = {y_win, {WinW{1'b0}}} >> d;
  assign y_trunc  = y_wide[2*WinW-1:WinW];
  assign y_sticky = |y_wide[WinW-1:0];

  // Add. Only d = 0 can give a negative difference, and then nothing was shifted out.
  assign sum    = eff_sub ? {1'b0, x_win} - {1'b0, y_trunc} - (WinW+1)'(y_sticky)
                          : {1'b0, x_win} + {1'b0, y_trunc};
  assign mag    = sum[WinW] ? WinW'(-sum) : sum[WinW-1:0];
  assign r_sign = x_sign ^ sum[WinW];

  // Normalize: bit WinW-1 of mag weighs 2^(x_e + 1). Shift left by the leading zeros, but
  // not below the fp32 subnormal exponent (-126); shift right if x is already below it.
  assign r_lz     = lzc32({mag, {(32 - WinW){1'b0}}});
  assign e_lim    = x_e + EW'(127);
  assign sh       = ($signed(e_lim) < $signed(EW'(r_lz))) ? e_lim : EW'(r_lz);
  assign sh_right = $signed(sh) < 0;
  assign rsh      = ($signed(sh) < -$signed(EW'(WinW))) ? EW'(WinW) : -sh;
  assign n_wide   = sh_right ? {mag, {WinW{1'b0}}} >> rsh : {mag << sh, {WinW{1'b0}}};
  assign norm     = n_wide[2*WinW-1:WinW];
  assign n_sticky = |n_wide[WinW-1:0];
  assign e_top    = sh_right ? EW'(-126) : x_e + EW'(1) - sh;  // weight of norm[WinW-1]

  // Round to nearest, ties to even. mant[23] is the hidden bit (0 for a subnormal).
  assign mant     = norm[WinW-1 -: 24];
  assign guard    = norm[WinW-25];
  assign sticky   = (norm[WinW-26:0] != '0) || y_sticky || n_sticky;
  assign round_up = guard && (sticky || mant[0]);
  // {exponent field - 1, 23 fraction bits} + significand: the hidden bit lifts the exponent
  // field to e_top + 127, or leaves 0 for a subnormal; a rounding carry moves on to the
  // next binade, up to the infinity encoding.
  assign packed_r = {8'(e_top + EW'(126)), 23'b0} + 31'(mant) + 31'(round_up);

  // Result
  assign any_nan = prod_nan_q || c_nan || (prod_inf_q && c_inf && (prod_sign_q != c_sign));
  assign inf_sign  = prod_inf_q ? prod_sign_q : c_sign;
  // An exact zero is +0 unless both terms are zeros of negative sign.
  assign zero_sign = prod_zero_q && c_zero && prod_sign_q && c_sign;
  assign y_d =
      any_nan                              ? QNaN :
      (prod_inf_q || c_inf)                ? {inf_sign, 8'hFF, 23'b0} :
      (mag == '0)                          ? {zero_sign, 31'b0} :
      ($signed(e_top) > $signed(EW'(127))) ? {r_sign, 8'hFF, 23'b0} :      // overflow
      (FtzOn && packed_r[30:23] == 8'h00)  ? {r_sign, 31'b0} :             // Ftz: flush
                                             {r_sign, packed_r};

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
  `PECOS_ASSERT_IMPL(FmaNaNCanonical, y_valid_q && y_q[30:23] == 8'hFF && y_q[22:0] != '0, y_q == QNaN)
  `PECOS_ASSERT_IMPL(FmaNoSubnormalWithFtz, y_valid_q && FtzOn, y_q[30:23] != 8'h00 || y_q[22:0] == '0)
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
