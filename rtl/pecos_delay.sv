// pecos_delay: a Width-bit shift register of Depth stages (Depth = 0 is a wire).
// Used for the array's input skew, psum skew and output deskew.
`include "pecos_assert.svh"

module pecos_delay #(
  parameter int Width = 8,
  parameter int Depth = 1
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic [Width-1:0] d_i,
  output logic [Width-1:0] q_o
);

  // ----------------------------------------------------------------------------------------
  // Parameters
  // ----------------------------------------------------------------------------------------
  `PECOS_ASSERT_PARAM(DelayParamsInRange, Width >= 1 && Depth >= 0)

  // ----------------------------------------------------------------------------------------
  // Registers
  // ----------------------------------------------------------------------------------------
  if (Depth == 0) begin : g_wire
    assign q_o = d_i;
    // Clock and reset are unused in the zero-depth case.
    logic unused_clk_rst;
    assign unused_clk_rst = clk_i ^ rst_ni;
  end else begin : g_regs
    // A chain of Depth separate registers; stage i samples stage i-1 (stage 0 samples d_i).
    // Separate registers, not one wide shift vector: a simulator then moves Width bits per
    // stage instead of the whole line.
    for (genvar i = 0; i < Depth; i++) begin : g_stage
      logic [Width-1:0] q;
      logic [Width-1:0] d;
      if (i == 0) begin : g_first
        assign d = d_i;
      end else begin : g_next
        assign d = g_stage[i-1].q;
      end
      always_ff @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) q <= '0;
        else         q <= d;
      end
    end
    assign q_o = g_stage[Depth-1].q;
  end

endmodule
