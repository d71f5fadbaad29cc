// pecos_pool: the pooling stage of the post-processing unit, all lanes: max or average over
// the beats of a window, or pass-through; the average is RHE(sum / count) by an exact
// pipelined restoring divider.
//
// A window is the valid beats from one with first_i to the next one with last_i (one beat
// may be both; idle cycles inside a window are allowed). Per lane l, y = y_i[l*8 +: 8]:
//   mode 0 (and 3): every valid beat is its own window, result y (first_i/last_i ignored)
//   mode 1 max:     result max(y) over the window's beats
//   mode 2 avg:     result clamp(RHE(sum(y) / count), -128, 127), count = count_i of the
//                   last beat (1..255; 0 is taken as 1). RHE = round half to even, exact.
// The sum is held in 16 bits: exact for windows of up to 258 beats (|sum| <= 32768); the
// host keeps windows at most 255 beats long. The clamp matters only when count is smaller
// than the number of beats (count = beats, or more, keeps the average inside int8).
//
// Pipeline (a beat's y_i sampled at edge t; a window's result leaves after its last beat):
//   edge t            : acc_q = y, max(acc_q, y) or acc_q + y; on a closing beat done_q = 1
//                       and div_q = divisor (count for avg, 1 otherwise: x / 1 is exact)
//   edges t+1..t+4    : DivStages stages of the restoring divider on |acc|, 4 quotient bits
//                       each (stage 0 also takes the magnitude)
//   edge t+5          : round half to even from the remainder, sign, clamp -> out
//   out_valid_o/out_data_o are valid after edge t + Latency - 1, Latency = 6.
// One window can close every cycle; nothing stalls.
`include "pecos_assert.svh"

module pecos_pool #(
  parameter int Lanes = 16
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic [1:0]         mode_i,
  // One beat, aligned with y_i
  input  logic               valid_i,
  input  logic               first_i,
  input  logic               last_i,
  input  logic [7:0]         count_i,
  input  logic [Lanes*8-1:0] y_i,
  // Window results
  output logic               out_valid_o,
  output logic [Lanes*8-1:0] out_data_o
);

  localparam int SumW      = 16;                // signed window sum
  localparam int DivStages = 4;                 // divider pipeline stages
  localparam int Steps     = SumW / DivStages;  // quotient bits per stage

  // ----------------------------------------------------------------------------------------
  // Parameters
  // ----------------------------------------------------------------------------------------
  `PECOS_ASSERT_PARAM(PoolLanesInRange, Lanes >= 1 && Lanes <= 256)
  `PECOS_ASSERT_PARAM(PoolDividerSplitsEvenly, Steps >= 1 && Steps * DivStages == SumW)

  // ----------------------------------------------------------------------------------------
  // Control
  // ----------------------------------------------------------------------------------------
  logic       is_max, is_avg, closes;
  logic [7:0] divisor;

  assign is_max  = (mode_i == 2'd1);
  assign is_avg  = (mode_i == 2'd2);
  assign closes  = valid_i && (last_i || !(is_max || is_avg));
  assign divisor = (is_avg && count_i != 8'd0) ? count_i : 8'd1;

  // ----------------------------------------------------------------------------------------
  // Accumulator stage
  // ----------------------------------------------------------------------------------------
  logic [Lanes*SumW-1:0] acc_q, acc_d;
  logic                  done_q;
  logic [7:0]            div_q;

  for (genvar l = 0; l < Lanes; l++) begin : g_acc
    logic signed [SumW-1:0] y, acc, nxt;
    assign y   = SumW'($signed(y_i[l*8 +: 8]));
    assign acc = $signed(acc_q[l*SumW +: SumW]);
    always_comb begin
      if (first_i || !(is_max || is_avg)) nxt = y;
      else if (is_max)                   nxt = (y > acc) ? y : acc;
      else                               nxt = acc + y;
    end
    assign acc_d[l*SumW +: SumW] = valid_i ? nxt : acc;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      acc_q  <= '0;
      done_q <= 1'b0;
      div_q  <= 8'd1;
    end else begin
      acc_q  <= acc_d;
      done_q <= closes;
      if (closes) div_q <= divisor;
    end
  end

  // ----------------------------------------------------------------------------------------
  // Divider: restoring division of the magnitude, Steps quotient bits per stage.
  // State per lane: rem (the partial remainder, always < d) and aq (dividend bits not yet
  // consumed, on top, and quotient bits produced, below). One step:
  //   r = {rem, aq[msb]}; aq <<= 1; if (r >= d) { r -= d; aq[0] = 1 }; rem = r
  // After SumW steps aq is the quotient and rem the remainder.
  // ----------------------------------------------------------------------------------------
  // Steps restoring-division steps: returns {rem, aq} after them.
  function automatic logic [8+SumW-1:0] div_steps(input logic [7:0] rem,
                                                  input logic [SumW-1:0] aq_in,
                                                  input logic [7:0] d);
    logic [8:0]      r;
    logic [SumW-1:0] aq;
    aq = aq_in;
    r  = {1'b0, rem};
    for (int k = 0; k < Steps; k++) begin
      r  = {r[7:0], aq[SumW-1]};
      aq = {aq[SumW-2:0], 1'b0};
      if (r >= {1'b0, d}) begin
        r     = r - {1'b0, d};
        aq[0] = 1'b1;
      end
    end
    div_steps = {r[7:0], aq};  // Yosys 0.23 has no `return`
  endfunction

  for (genvar s = 0; s < DivStages; s++) begin : g_div
    logic                  v_in, v_q;
    logic [7:0]            d_in, d_q;
    logic [Lanes-1:0]      neg_in, neg_q;
    logic [Lanes*SumW-1:0] aq_in, aq_d, aq_q;
    logic [Lanes*8-1:0]    rem_in, rem_d, rem_q;

    if (s == 0) begin : g_src
      assign v_in   = done_q;
      assign d_in   = div_q;
      assign rem_in = '0;
      for (genvar l = 0; l < Lanes; l++) begin : g_lane
        logic [SumW-1:0] a;
        assign a                    = acc_q[l*SumW +: SumW];
        assign neg_in[l]            = a[SumW-1];
        assign aq_in[l*SumW +: SumW] = a[SumW-1] ? -a : a;  // -(-2^15) is 2^15 unsigned
      end
    end else begin : g_src
      assign v_in   = g_div[s-1].v_q;
      assign d_in   = g_div[s-1].d_q;
      assign neg_in = g_div[s-1].neg_q;
      assign aq_in  = g_div[s-1].aq_q;
      assign rem_in = g_div[s-1].rem_q;
    end

    for (genvar l = 0; l < Lanes; l++) begin : g_lane
      assign {rem_d[l*8 +: 8], aq_d[l*SumW +: SumW]} =
        div_steps(rem_in[l*8 +: 8], aq_in[l*SumW +: SumW], d_in);
    end

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        v_q   <= 1'b0;
        d_q   <= 8'd1;
        neg_q <= '0;
        aq_q  <= '0;
        rem_q <= '0;
      end else begin
        v_q <= v_in;
        if (v_in) begin
          d_q   <= d_in;
          neg_q <= neg_in;
          aq_q  <= aq_d;
          rem_q <= rem_d;
        end
      end
    end
  end

  // ----------------------------------------------------------------------------------------
  // Rounding: q + 1 if 2 rem > d, or 2 rem == d and q is odd; sign; clamp to int8
  // ----------------------------------------------------------------------------------------
  localparam int Last = DivStages - 1;

  logic               out_valid_q;
  logic [Lanes*8-1:0] out_q, out_d;

  for (genvar l = 0; l < Lanes; l++) begin : g_round
    logic [SumW-1:0]        q;
    logic [8:0]             r2;
    logic                   up;
    logic [SumW:0]          mag;
    logic signed [SumW+1:0] res;
    logic signed [7:0]      res_lo;
    assign q      = g_div[Last].aq_q[l*SumW +: SumW];
    assign r2     = {g_div[Last].rem_q[l*8 +: 8], 1'b0};
    assign up     = (r2 > {1'b0, g_div[Last].d_q}) || (r2 == {1'b0, g_div[Last].d_q} && q[0]);
    assign mag    = {1'b0, q} + (SumW+1)'(up);
    assign res    = g_div[Last].neg_q[l] ? -$signed({1'b0, mag}) : $signed({1'b0, mag});
    assign res_lo = res[7:0];
    always_comb begin
      if (res > (SumW+2)'(127))        out_d[l*8 +: 8] = 8'sd127;
      else if (res < -(SumW+2)'(128))  out_d[l*8 +: 8] = -8'sd128;
      else                             out_d[l*8 +: 8] = res_lo;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      out_valid_q <= 1'b0;
      out_q       <= '0;
    end else begin
      out_valid_q <= g_div[Last].v_q;
      if (g_div[Last].v_q) out_q <= out_d;
    end
  end

  assign out_valid_o = out_valid_q;
  assign out_data_o  = out_q;

endmodule
