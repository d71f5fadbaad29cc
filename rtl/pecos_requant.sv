// pecos_requant: one lane of the post-processing unit's requantizer: int32 accumulator +
// int32 bias -> int8, with ONNX QLinearConv requantization, saturation and ReLU.
//
//   v = acc + bias                                      (32-bit two's complement wrap)
//   rq_en = 1: y = clamp(zp + RHE(v * mult / 2^(31+shift)), -128, 127)
//   rq_en = 0: y = clamp(v, -128, 127)
//   relu_en:   y = max(y, zp)                           (zp is used by ReLU even when rq_en = 0)
//
// mult is Q31 (0 .. 2^31-1, normally 2^30 .. 2^31-1), shift 0..32; a shift above 32 acts as
// 32, which is exact: |v * mult| < 2^62, so RHE(v * mult / 2^n) = 0 for every n >= 63.
// RHE is round half to even, computed exactly on the 64-bit product: with n = 31 + shift,
// f = floor(p / 2^n) (arithmetic shift), h = bit n-1 of p, s = OR of bits n-2..0 of p,
// RHE = f + (h & (s | f[0])).
//
// Pipeline (a value presented in cycle t is sampled at edge t):
//   edge t   : v_q    = acc_i + bias_i
//   edge t+1 : prod_q = v_q * mult (signed 32 x unsigned 31 -> 64), sat_q = clamp8(v_q)
//   edge t+2 : q_q    = rounded quotient clamped to 10 bits [-512, 511] (rq_en), else sat_q
//              (clamping to 10 bits is exact: zp + q leaves int8 anyway once |q| >= 256)
//   edge t+3 : y_q    = clamp8(zp + q_q) (rq_en) or q_q, then ReLU
//   y_o is valid after edge t+3: Latency = 4 edges including the sampling one.
// No valid: the datapath registers load every cycle; the caller aligns its control.
// The configuration (mult, shift, zp, rq_en, relu_en) must be constant while values flow.
`include "pecos_assert.svh"

module pecos_requant (
  input  logic        clk_i,
  input  logic        rst_ni,
  // Configuration
  input  logic [30:0] mult_i,
  input  logic [5:0]  shift_i,
  input  logic [7:0]  zp_i,
  input  logic        rq_en_i,
  input  logic        relu_en_i,
  // Datapath
  input  logic [31:0] acc_i,
  input  logic [31:0] bias_i,
  output logic [7:0]  y_o
);

  // ----------------------------------------------------------------------------------------
  // Registers
  // ----------------------------------------------------------------------------------------
  logic signed [31:0] v_q, v_d;
  logic signed [63:0] prod_q, prod_d;
  logic signed [7:0]  sat_q, sat_d;
  logic signed [9:0]  q_q, q_d;
  logic signed [7:0]  y_q, y_d;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      v_q    <= '0;
      prod_q <= '0;
      sat_q  <= '0;
      q_q    <= '0;
      y_q    <= '0;
    end else begin
      v_q    <= v_d;
      prod_q <= prod_d;
      sat_q  <= sat_d;
      q_q    <= q_d;
      y_q    <= y_d;
    end
  end

  // ----------------------------------------------------------------------------------------
  // Datapath
  // ----------------------------------------------------------------------------------------
  // Stage 1: bias
  assign v_d = $signed(acc_i + bias_i);

  // Stage 2: exact 64-bit product; the bypass saturation
  logic signed [31:0] mult_s;
  assign mult_s = $signed({1'b0, mult_i});
  assign prod_d = v_q * mult_s;

  // Constant part-selects live outside always_comb (Icarus 11 does not support them there).
  logic signed [7:0] v_lo;
  assign v_lo = v_q[7:0];

  always_comb begin
    if (v_q > 32'sd127)        sat_d = 8'sd127;
    else if (v_q < -32'sd128)  sat_d = -8'sd128;
    else                       sat_d = v_lo;
  end

  // Stage 3: round half to even at bit n = 31 + min(shift, 32), clamp to 10 bits
  logic [5:0]         n;        // 31 .. 63
  logic signed [63:0] fl;       // floor(prod / 2^n)
  logic [63:0]        below;    // bits n-2 .. 0 of prod
  logic               half_bit, sticky, up;
  logic signed [63:0] rq;
  logic               fl_odd;
  logic signed [9:0]  rq_lo;

  assign n      = (shift_i > 6'd32) ? 6'd63 : 6'd31 + shift_i;
  assign fl     = prod_q >>> n;
  assign fl_odd = fl[0];
  assign half_bit = prod_q[n - 6'd1];
  assign below    = prod_q & ((64'd1 << (n - 6'd1)) - 64'd1);
  assign sticky   = (below != '0);
  assign up       = half_bit && (sticky || fl_odd);
  assign rq       = fl + 64'(up);
  assign rq_lo    = rq[9:0];

  always_comb begin
    if (!rq_en_i)              q_d = 10'(sat_q);
    else if (rq > 64'sd511)    q_d = 10'sd511;
    else if (rq < -64'sd512)   q_d = -10'sd512;
    else                       q_d = rq_lo;
  end

  // Stage 4: zero point, saturation, ReLU
  logic signed [10:0] s;
  logic signed [7:0]  zp_s, y_c, s_lo;

  assign zp_s = $signed(zp_i);
  assign s    = rq_en_i ? 11'(q_q) + 11'(zp_s) : 11'(q_q);
  assign s_lo = s[7:0];

  always_comb begin
    if (s > 11'sd127)         y_c = 8'sd127;
    else if (s < -11'sd128)   y_c = -8'sd128;
    else                      y_c = s_lo;
    y_d = (relu_en_i && y_c < zp_s) ? zp_s : y_c;
  end

  assign y_o = y_q;

  // ----------------------------------------------------------------------------------------
  // Assertions
  // ----------------------------------------------------------------------------------------
`ifndef SYNTHESIS
  // Clamping to 10 bits keeps the quotient's sign; ReLU leaves nothing below the zero point.
  `PECOS_ASSERT_IMPL(RqClampKeepsSign, rq_en_i, q_d[9] == rq[63])
  `PECOS_ASSERT_IMPL(RqReluAboveZp, relu_en_i, !(y_d < zp_s))
`endif

endmodule
