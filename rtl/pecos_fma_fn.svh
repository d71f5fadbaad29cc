// pecos_fma_fn.svh: the arithmetic of pecos_fma as two functions, included inside a module
// that defines the int parameters FmaFmt (0 bf16, 1 fp16) and FmaFtz (0 or 1) before it.
//   fma_mul(a, b) -> FmaProdW bits {sign, exp, sig, zero, inf, nan}: the exact product (stage 1)
//   fma_add(p, c) -> fp32 round(c + p): align, add, normalize, round once (stage 2)
// pecos_fma registers them as its two pipeline stages; pecos_array_ws calls them in its PE
// loop. pecos_fma.sv describes the formats, the pipeline and the semantics.
localparam int FmaExpW  = (FmaFmt == 0) ? 8 : 5;    // operand exponent field
localparam int FmaFracW = (FmaFmt == 0) ? 7 : 10;   // operand fraction field
localparam int FmaSigW  = FmaFracW + 1;              // significand with the hidden bit
localparam int FmaSigP  = 2 * FmaSigW;               // exact product significand (16 or 22)
localparam int FmaBias  = (1 << (FmaExpW - 1)) - 1;
localparam int FmaEW    = 12;                        // signed exponents: -2048 .. 2047
localparam int FmaWinW  = 28;                        // alignment window, see fma_add
localparam bit FmaFtzOn = (FmaFtz != 0);
localparam int FmaProdW = 1 + FmaEW + FmaSigP + 3;   // {sign, exp, sig, zero, inf, nan}
localparam logic [31:0] FmaQNaN = 32'h7FC0_0000;

// Leading zeros of a 32-bit vector (32 for zero). Narrower values are passed left-aligned.
// A binary search (16, 8, 4, 2, 1 bits), not a loop over the 32 bits: the same function in
// five steps, which a simulator evaluates in a few operations instead of 32.
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

// Stage 1: decode a and b, exact product, normalize. Unbiased exponents are those of the
// hidden-bit position: a = a_sig * 2^(a_e - FracW). The product of the significands is
// exact; its top bit weighs 2^(a_e + b_e + 1).
function automatic logic [FmaProdW-1:0] fma_mul(input logic [15:0] a_op, input logic [15:0] b_op);
  logic [FmaExpW-1:0]  a_expf, b_expf;
  logic [FmaFracW-1:0] a_frac, b_frac;
  logic                a_sub, b_sub, a_zero, b_zero, a_inf, b_inf, a_nan, b_nan;
  logic [FmaSigW-1:0]  a_sig, b_sig;
  logic [FmaEW-1:0]    a_e, b_e;
  logic [FmaSigP-1:0]  p_raw, p_sig;
  logic [5:0]          p_lz;
  logic [FmaEW-1:0]    p_e;
  logic                p_zero, p_inf, p_nan;
  a_expf = a_op[14 -: FmaExpW];
  b_expf = b_op[14 -: FmaExpW];
  a_frac = a_op[FmaFracW-1:0];
  b_frac = b_op[FmaFracW-1:0];
  a_sub  = (a_expf == '0);
  b_sub  = (b_expf == '0);
  a_zero = a_sub && (a_frac == '0 || FmaFtzOn);
  b_zero = b_sub && (b_frac == '0 || FmaFtzOn);
  a_inf  = (a_expf == '1) && (a_frac == '0);
  b_inf  = (b_expf == '1) && (b_frac == '0);
  a_nan  = (a_expf == '1) && (a_frac != '0);
  b_nan  = (b_expf == '1) && (b_frac != '0);
  a_sig  = a_zero ? '0 : {!a_sub, a_frac};
  b_sig  = b_zero ? '0 : {!b_sub, b_frac};
  a_e    = a_sub ? FmaEW'(1 - FmaBias) : FmaEW'(a_expf) - FmaEW'(FmaBias);
  b_e    = b_sub ? FmaEW'(1 - FmaBias) : FmaEW'(b_expf) - FmaEW'(FmaBias);
  p_raw  = FmaSigP'(a_sig) * FmaSigP'(b_sig);
  p_lz   = lzc32(32'(p_raw) << (32 - FmaSigP));
  p_sig  = p_raw << p_lz;
  p_e    = a_e + b_e + FmaEW'(1) - FmaEW'(p_lz);
  p_nan  = a_nan || b_nan || (a_inf && b_zero) || (a_zero && b_inf);
  p_inf  = (a_inf || b_inf) && !p_nan;
  p_zero = a_zero || b_zero;
  fma_mul = {a_op[15] ^ b_op[15], p_e, p_sig, p_zero, p_inf, p_nan};
endfunction

// Stage 2: decode c, align, add, normalize, round.
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
function automatic logic [31:0] fma_add(input logic [FmaProdW-1:0] prod, input logic [31:0] c_op);
  logic                  prod_sign, prod_zero, prod_inf, prod_nan;
  logic [FmaEW-1:0]      prod_exp;   // weight of prod_sig[FmaSigP-1] is 2^prod_exp
  logic [FmaSigP-1:0]    prod_sig;   // top bit set unless the product is zero
  logic [7:0]            c_expf;
  logic [22:0]           c_frac;
  logic                  c_sign, c_sub, c_zero, c_inf, c_nan;
  logic [23:0]           c_raw, c_sig;
  logic [5:0]            c_lz;
  logic [FmaEW-1:0]      c_e;
  logic                  x_is_p, x_sign, y_sign, eff_sub;
  logic [FmaEW-1:0]      x_e, y_e, d_raw, d;
  logic [FmaWinW-1:0]    p_win, c_win, x_win, y_win, y_trunc;
  logic [2*FmaWinW-1:0]  y_wide;
  logic                  y_sticky;
  logic [FmaWinW:0]      sum;
  logic [FmaWinW-1:0]    mag;
  logic                  r_sign;
  logic [5:0]            r_lz;
  logic [FmaEW-1:0]      e_lim, sh, rsh, e_top;
  logic                  sh_right;
  logic [2*FmaWinW-1:0]  n_wide;
  logic [FmaWinW-1:0]    norm;
  logic                  n_sticky;
  logic [23:0]           mant;
  logic                  guard, sticky, round_up;
  logic [30:0]           packed_r;
  logic                  any_nan, inf_sign, zero_sign;
  {prod_sign, prod_exp, prod_sig, prod_zero, prod_inf, prod_nan} = prod;

  // Decode and normalize c: c = c_sig * 2^(c_e - 23), c_sig[23] set unless c is zero.
  c_sign = c_op[31];
  c_expf = c_op[30:23];
  c_frac = c_op[22:0];
  c_sub  = (c_expf == '0);
  c_zero = c_sub && (c_frac == '0 || FmaFtzOn);
  c_inf  = (c_expf == '1) && (c_frac == '0);
  c_nan  = (c_expf == '1) && (c_frac != '0);
  c_raw  = c_zero ? '0 : {!c_sub, c_frac};
  c_lz   = lzc32({c_raw, 8'b0});
  c_sig  = c_raw << c_lz;
  c_e    = (c_sub ? FmaEW'(-126) : FmaEW'(c_expf) - FmaEW'(127)) - FmaEW'(c_lz);

  // Both operands with their top bit at WinW-2; x is the one with the larger exponent (or
  // the only nonzero one), its top bit weighs 2^x_e.
  p_win   = FmaWinW'(prod_sig) << (FmaWinW - 1 - FmaSigP);
  c_win   = FmaWinW'(c_sig) << (FmaWinW - 25);
  x_is_p  = !prod_zero && (c_zero || $signed(prod_exp) >= $signed(c_e));
  x_win   = x_is_p ? p_win : c_win;
  y_win   = x_is_p ? c_win : p_win;
  x_e     = x_is_p ? prod_exp : c_e;
  y_e     = x_is_p ? c_e : prod_exp;
  x_sign  = x_is_p ? prod_sign : c_sign;
  y_sign  = x_is_p ? c_sign : prod_sign;
  eff_sub = x_sign ^ y_sign;

  // Align y. d >= 0 when both are nonzero; when y is zero its value does not matter.
  d_raw    = x_e - y_e;
  d        = ($signed(d_raw) > $signed(FmaEW'(FmaWinW)) || $signed(d_raw) < 0) ? FmaEW'(FmaWinW)
                                                                              : d_raw;
  y_wide   = {y_win, {FmaWinW{1'b0}}} >> d;
  y_trunc  = y_wide[2*FmaWinW-1:FmaWinW];
  y_sticky = |y_wide[FmaWinW-1:0];

  // Add. Only d = 0 can give a negative difference, and then nothing was shifted out.
  sum    = eff_sub ? {1'b0, x_win} - {1'b0, y_trunc} - (FmaWinW+1)'(y_sticky)
                   : {1'b0, x_win} + {1'b0, y_trunc};
  mag    = sum[FmaWinW] ? FmaWinW'(-sum) : sum[FmaWinW-1:0];
  r_sign = x_sign ^ sum[FmaWinW];

  // Normalize: bit WinW-1 of mag weighs 2^(x_e + 1). Shift left by the leading zeros, but
  // not below the fp32 subnormal exponent (-126); shift right if x is already below it.
  r_lz     = lzc32({mag, {(32 - FmaWinW){1'b0}}});
  e_lim    = x_e + FmaEW'(127);
  sh       = ($signed(e_lim) < $signed(FmaEW'(r_lz))) ? e_lim : FmaEW'(r_lz);
  sh_right = $signed(sh) < 0;
  rsh      = ($signed(sh) < -$signed(FmaEW'(FmaWinW))) ? FmaEW'(FmaWinW) : -sh;
  n_wide   = sh_right ? {mag, {FmaWinW{1'b0}}} >> rsh : {mag << sh, {FmaWinW{1'b0}}};
  norm     = n_wide[2*FmaWinW-1:FmaWinW];
  n_sticky = |n_wide[FmaWinW-1:0];
  e_top    = sh_right ? FmaEW'(-126) : x_e + FmaEW'(1) - sh;  // weight of norm[WinW-1]

  // Round to nearest, ties to even. mant[23] is the hidden bit (0 for a subnormal).
  mant     = norm[FmaWinW-1 -: 24];
  guard    = norm[FmaWinW-25];
  sticky   = (norm[FmaWinW-26:0] != '0) || y_sticky || n_sticky;
  round_up = guard && (sticky || mant[0]);
  // {exponent field - 1, 23 fraction bits} + significand: the hidden bit lifts the exponent
  // field to e_top + 127, or leaves 0 for a subnormal; a rounding carry moves on to the
  // next binade, up to the infinity encoding.
  packed_r = {8'(e_top + FmaEW'(126)), 23'b0} + 31'(mant) + 31'(round_up);

  // Result. An exact zero is +0 unless both terms are zeros of negative sign.
  any_nan   = prod_nan || c_nan || (prod_inf && c_inf && (prod_sign != c_sign));
  inf_sign  = prod_inf ? prod_sign : c_sign;
  zero_sign = prod_zero && c_zero && prod_sign && c_sign;
  fma_add =
      any_nan                                    ? FmaQNaN :
      (prod_inf || c_inf)                        ? {inf_sign, 8'hFF, 23'b0} :
      (mag == '0)                                ? {zero_sign, 31'b0} :
      ($signed(e_top) > $signed(FmaEW'(127)))    ? {r_sign, 8'hFF, 23'b0} :      // overflow
      (FmaFtzOn && packed_r[30:23] == 8'h00)     ? {r_sign, 31'b0} :             // Ftz: flush
                                                   {r_sign, packed_r};
endfunction
