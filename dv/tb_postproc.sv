// tb_postproc: Icarus testbench of pecos_postproc (Lanes = 2) with directed, hand-computed
// checks: bypass saturation, requant ties in both signs (x0.5), zero point and ReLU, max
// pooling over a window with a gap, avg pooling with .5 ties and a 4-beat window, windows
// back to back. Every result is checked for its value and for arriving exactly Lat = 9
// edges after the edge that took its window's last beat, and nothing else may come out.
// Prints "TB PASS" or "TB FAIL ...".
module tb_postproc;
  localparam int Lanes = 2;
  localparam int Lat   = 9;
  localparam int MaxE  = 32;

  logic clk = 1'b0;
  logic rst_n = 1'b0;
  logic [30:0] mult = 31'd0;
  logic [5:0]  shift = 6'd0;
  logic [7:0]  zp = 8'd0;
  logic        rq_en = 1'b0, relu_en = 1'b0;
  logic [1:0]  mode = 2'd0;
  logic        in_valid = 1'b0, in_first = 1'b0, in_last = 1'b0;
  logic [7:0]  in_count = 8'd0;
  logic [Lanes*32-1:0] in_acc = '0, in_bias = '0;
  logic                out_valid;
  logic [Lanes*8-1:0]  out_data;

  pecos_postproc #(.Lanes(Lanes)) dut (
    .clk_i(clk), .rst_ni(rst_n),
    .rq_mult_i(mult), .rq_shift_i(shift), .rq_zp_i(zp), .rq_en_i(rq_en),
    .relu_en_i(relu_en), .pool_mode_i(mode),
    .in_valid_i(in_valid), .in_first_i(in_first), .in_last_i(in_last), .in_count_i(in_count),
    .in_acc_i(in_acc), .in_bias_i(in_bias),
    .out_valid_o(out_valid), .out_data_o(out_data));

  always #5 clk = ~clk;

  int edges = 0;  // rising edges so far
  always @(posedge clk) edges <= edges + 1;

  // Expected results: the edge after which each is visible, and its two lanes.
  int exp_due [MaxE];
  int exp_y0 [MaxE];
  int exp_y1 [MaxE];
  int n_exp = 0, n_got = 0, errors = 0;

  // One beat, driven at a falling edge, sampled by the next rising edge (number edges + 1).
  // On a last beat (or any beat in mode 0) the expected result y0, y1 is queued.
  task automatic beat(input logic first, input logic last, input int count,
                      input int acc0, input int bias0, input int acc1, input int bias1,
                      input int y0, input int y1);
    @(negedge clk);
    in_valid = 1'b1;
    in_first = first;
    in_last  = last;
    in_count = 8'(count);
    in_acc   = {32'(acc1), 32'(acc0)};
    in_bias  = {32'(bias1), 32'(bias0)};
    if (last || mode == 2'd0) begin
      exp_due[n_exp] = edges + 1 + Lat;
      exp_y0[n_exp]  = y0;
      exp_y1[n_exp]  = y1;
      n_exp = n_exp + 1;
    end
  endtask

  task automatic gap(input int n);
    for (int i = 0; i < n; i++) begin
      @(negedge clk);
      in_valid = 1'b0;
    end
  endtask

  // Checks outputs at falling edges: a result is visible after edge exp_due.
  always @(negedge clk) begin
    if (rst_n && out_valid) begin
      if (n_got >= n_exp) begin
        $display("TB FAIL: unexpected output %0d %0d after edge %0d",
                 $signed(out_data[7:0]), $signed(out_data[15:8]), edges);
        errors = errors + 1;
      end else begin
        if (edges != exp_due[n_got] || $signed(out_data[7:0]) != exp_y0[n_got] ||
            $signed(out_data[15:8]) != exp_y1[n_got]) begin
          $display("TB FAIL: result %0d: got %0d %0d after edge %0d, expected %0d %0d after edge %0d",
                   n_got, $signed(out_data[7:0]), $signed(out_data[15:8]), edges,
                   exp_y0[n_got], exp_y1[n_got], exp_due[n_got]);
          errors = errors + 1;
        end
        n_got = n_got + 1;
      end
    end
    if (rst_n && n_got < n_exp && edges > exp_due[n_got]) begin
      $display("TB FAIL: result %0d missing (due after edge %0d)", n_got, exp_due[n_got]);
      errors = errors + 1;
      n_got = n_got + 1;
    end
  end

  initial begin
    repeat (2) @(posedge clk);
    @(negedge clk);
    rst_n = 1'b1;

    // 1. Bypass, no pooling: 200-50 = 150 -> 127; -300 -> -128; then 100+27 = 127, -128+0.
    mode = 2'd0; rq_en = 1'b0;
    beat(1, 1, 1, 200, -50, -300, 0, 127, -128);
    beat(0, 0, 0, 100, 27, -129, 1, 127, -128);

    // 2. Requant x0.5 (mult 2^30, shift 0): 5/2 = 2.5 -> 2, -5/2 -> -2; 7/2 -> 4, -7/2 -> -4;
    //    shift 2 (x0.125): 20/8 = 2.5 -> 2, -12/8 = -1.5 -> -2. Back to back.
    gap(Lat + 2);
    rq_en = 1'b1; mult = 31'h4000_0000; shift = 6'd0;
    beat(1, 1, 1, 4, 1, -6, 1, 2, -2);
    beat(1, 1, 1, 7, 0, -7, 0, 4, -4);
    gap(Lat + 2);
    shift = 6'd2;
    beat(1, 1, 1, 20, 0, -12, 0, 2, -2);

    // 3. Zero point 10 and ReLU: -40/2 + 10 = -10 -> 10; 40/2 + 10 = 30.
    //    Saturation: 1000/2 + 10 -> 127, -1000/2 + 10 -> -128 (ReLU off).
    gap(Lat + 2);
    shift = 6'd0; zp = 8'd10; relu_en = 1'b1;
    beat(1, 1, 1, -40, 0, 40, 0, 10, 30);
    gap(Lat + 2);
    relu_en = 1'b0;
    beat(1, 1, 1, 1000, 0, -1000, 0, 127, -128);

    // 4. Max pooling, bypass: (3, -7, gap, 9) -> 9; (-1, -2, -3) -> -1; then a one-beat window.
    gap(Lat + 2);
    rq_en = 1'b0; zp = 8'd0; mode = 2'd1;
    beat(1, 0, 0, 3, 0, -1, 0, 0, 0);
    beat(0, 0, 0, -7, 0, -2, 0, 0, 0);
    gap(2);
    beat(0, 1, 3, 9, 0, -3, 0, 9, -1);
    beat(1, 1, 1, -100, 0, 100, 0, -100, 100);

    // 5. Average: (3, 0)/2 = 1.5 -> 2 and (-5, 0)/2 = -2.5 -> -2; next window back to back:
    //    (1, 2, 3, 4)/4 = 2.5 -> 2 and (-1, -2, -3, -5)/4 = -2.75 -> -3; then (127 x 2) / 1
    //    -> 254 clamps to 127 and (-128 x 2) / 1 -> -128.
    gap(Lat + 2);
    mode = 2'd2;
    beat(1, 0, 0, 3, 0, -5, 0, 0, 0);
    beat(0, 1, 2, 0, 0, 0, 0, 2, -2);
    beat(1, 0, 0, 1, 0, -1, 0, 0, 0);
    beat(0, 0, 0, 2, 0, -2, 0, 0, 0);
    beat(0, 0, 0, 3, 0, -3, 0, 0, 0);
    beat(0, 1, 4, 4, 0, -5, 0, 2, -3);
    beat(1, 0, 0, 127, 0, -128, 0, 0, 0);
    beat(0, 1, 1, 127, 0, -128, 0, 127, -128);

    gap(Lat + 4);
    if (n_got != n_exp) begin
      $display("TB FAIL: %0d of %0d results arrived", n_got, n_exp);
      errors = errors + 1;
    end
    if (errors == 0) $display("TB PASS: %0d results, latency %0d", n_got, Lat);
    else $display("TB FAIL: %0d errors", errors);
    $finish;
  end
endmodule
