// tb_array_ws: Icarus testbench of pecos_array_ws (Rows=3, Cols=2). Loads bank 0, streams
// 6 back-to-back beats with psums, and checks every output value, the latency Rows+Cols-1
// and the counters, with some zero operands (gated MACs: Cols per zero x, else the zero
// weights of the row). Prints "TB PASS" or "TB FAIL ...".
module tb_array_ws;
  localparam int Rows = 3;
  localparam int Cols = 2;
  localparam int Beats = 6;
  localparam int Lat = Rows + Cols - 1;

  logic clk = 1'b0;
  logic rst_n = 1'b0;
  logic w_valid = 1'b0, w_bank = 1'b0, in_valid = 1'b0, in_bank = 1'b0;
  logic [15:0] w_col = '0;
  logic [Rows*8-1:0] w_data = '0, in_data = '0;
  logic [Cols*32-1:0] in_psum = '0;
  logic out_valid;
  logic [Cols*32-1:0] out_psum;
  logic [63:0] c_beats, c_wbeats, c_busy, c_macs, c_gated;

  pecos_array_ws #(.Rows(Rows), .Cols(Cols)) dut (
    .clk_i(clk), .rst_ni(rst_n),
    .w_valid_i(w_valid), .w_bank_i(w_bank), .w_col_i(w_col), .w_data_i(w_data),
    .in_valid_i(in_valid), .in_bank_i(in_bank), .in_data_i(in_data), .in_psum_i(in_psum),
    .out_valid_o(out_valid), .out_psum_o(out_psum),
    .cnt_beats_o(c_beats), .cnt_wbeats_o(c_wbeats), .cnt_busy_o(c_busy), .cnt_macs_o(c_macs),
    .cnt_gated_o(c_gated));

  always #5 clk = ~clk;

  function automatic int wgt(input int r, input int c);
    return (r == 1 && c == 0) ? 0 : (r * 7 - c * 5 + 3) % 128 - 60;
  endfunction
  function automatic int xin(input int j, input int r);
    return ((j + r) % 4 == 0) ? 0 : (j * 37 + r * 11) % 200 - 100;
  endfunction
  function automatic int expect_gated();
    int g, z;
    g = 0;
    for (int j = 0; j < Beats; j++)
      for (int r = 0; r < Rows; r++) begin
        z = 0;
        for (int c = 0; c < Cols; c++) z = z + int'(wgt(r, c) == 0);
        g = g + ((xin(j, r) == 0) ? Cols : z);
      end
    return g;
  endfunction
  function automatic int expect_sum(input int j, input int c);
    int acc;
    acc = j * 1000 + c;
    for (int r = 0; r < Rows; r++) acc = acc + xin(j, r) * wgt(r, c);
    return acc;
  endfunction

  int cycle = 0, first_beat = -1, got = 0, errors = 0;
  always @(posedge clk) cycle <= cycle + 1;

  initial begin
    repeat (2) @(posedge clk);
    rst_n = 1'b1;
    // Weights: one column per cycle
    for (int c = 0; c < Cols; c++) begin
      @(negedge clk);
      w_valid = 1'b1; w_col = 16'(c);
      for (int r = 0; r < Rows; r++) w_data[r*8 +: 8] = 8'(wgt(r, c));
    end
    @(negedge clk);
    w_valid = 1'b0;
    // Beats
    for (int j = 0; j < Beats; j++) begin
      in_valid = 1'b1;
      for (int r = 0; r < Rows; r++) in_data[r*8 +: 8] = 8'(xin(j, r));
      for (int c = 0; c < Cols; c++) in_psum[c*32 +: 32] = 32'(j * 1000 + c);
      if (j == 0) first_beat = cycle;
      @(negedge clk);
    end
    in_valid = 1'b0;
    repeat (Lat + 4) @(negedge clk);
    if (got != Beats) begin
      $display("TB FAIL: %0d outputs, expected %0d", got, Beats); errors++;
    end
    if (c_beats != 64'(Beats) || c_wbeats != 64'(Cols) || c_macs != 64'(Beats * Rows * Cols) ||
        c_gated != 64'(expect_gated())) begin
      $display("TB FAIL: counters beats %0d wbeats %0d macs %0d gated %0d (expected %0d)", c_beats,
               c_wbeats, c_macs, c_gated, expect_gated());
      errors++;
    end
    if (errors == 0) $display("TB PASS");
    $finish;
  end

  always @(posedge clk) begin
    if (rst_n && out_valid) begin
      // Beat j is sampled at edge first_beat+j (cycle counts edges); its sums are set by
      // edge first_beat+j+Lat, and this block sees them at the edge after that.
      if (cycle != first_beat + got + Lat + 1) begin
        $display("TB FAIL: output %0d at edge %0d, expected %0d", got, cycle, first_beat + got + Lat + 1);
        errors++;
      end
      for (int c = 0; c < Cols; c++) begin
        if ($signed(out_psum[c*32 +: 32]) != expect_sum(got, c)) begin
          $display("TB FAIL: beat %0d col %0d got %0d expected %0d", got, c,
                   $signed(out_psum[c*32 +: 32]), expect_sum(got, c));
          errors++;
        end
      end
      got <= got + 1;
    end
  end
endmodule
