// tb_array_os: self-checking Icarus testbench of pecos_array_os. Several instances (int8
// 4x4, 3x5, 5x3, 1x1, 1x4, 4x1, 16x16; bf16 4x3; fp16 3x4) each get random blocks of 1..20
// beats with random idle cycles inside and between blocks (last beats >= Rows cycles apart,
// often exactly Rows), random garbage on every input while in_valid_i is low, and random
// in_psum_i on non-first beats (must be ignored). Every cycle checks out_valid_o against
// the contract (output i of a block whose last beat is sampled at edge t_L is sampled at
// edge t_L + Rows + Cols + 2 + i, i.e. visible after edge t_L + Rows + Cols + 1 + i, and
// carries row Rows-1-i), every output value, cnt_beats_o, cnt_busy_o, cnt_macs_o,
// cnt_gated_o (int8: Rows*Cols minus nonzero x times nonzero w per beat; fp: 0; a fifth of
// the operands are zero) and cnt_wbeats_o == 0.
// fp instances use small integers (|x|, |w| <= 16, |init| <= 1000): every product and sum
// is exact in fp32, so the expected result is the exact integer sum converted to fp32.
// Prints "TB PASS" or "TB FAIL ..." lines. Re-run with another seed: vvp tb.vvp +seed=N.

// One DUT with its own driver and checker.
module tb_os_run #(
  parameter int Rows   = 4,
  parameter int Cols   = 4,
  parameter int DType  = 0,
  parameter int Seed   = 1,
  parameter int Blocks = 50
) (
  input  logic        clk,
  input  logic        rst_n,
  output logic        done,
  output logic [31:0] nerr
);
  localparam int DW = (DType == 0) ? 8 : 16;
  localparam int Lat = Rows + Cols + 2;          // last-beat edge to first output's edge
  localparam int Drain = 2 * Rows + Cols + 1;    // last-beat edge to last output's edge
  localparam int HistW = Rows + Cols;            // in_valid history for the MAC count

  logic in_valid = 1'b0, in_first = 1'b0, in_last = 1'b0;
  logic [Rows*DW-1:0] in_data = '0;
  logic [Cols*DW-1:0] w_data = '0;
  logic [Cols*32-1:0] in_psum = '0;
  logic out_valid;
  logic [Cols*32-1:0] out_psum;
  logic [63:0] c_beats, c_wbeats, c_busy, c_macs, c_gated;

  pecos_array_os #(.Rows(Rows), .Cols(Cols), .DType(DType)) dut (
    .clk_i(clk), .rst_ni(rst_n),
    .in_valid_i(in_valid), .in_first_i(in_first), .in_last_i(in_last),
    .in_data_i(in_data), .w_data_i(w_data), .in_psum_i(in_psum),
    .out_valid_o(out_valid), .out_psum_o(out_psum),
    .cnt_beats_o(c_beats), .cnt_wbeats_o(c_wbeats), .cnt_busy_o(c_busy), .cnt_macs_o(c_macs),
    .cnt_gated_o(c_gated));

  int seed, seed0;  // the generator's state and its start value (printed on failure)
  int errors = 0;
  assign nerr = 32'(errors);

  // Uniform integer in lo..hi.
  function automatic int urange(input int lo, input int hi);
    logic [31:0] u;
    u = $random(seed);
    return lo + int'(u % 32'(hi - lo + 1));
  endfunction

  // Exact conversions of small integers (|v| < 2^24) to fp32 / bf16 / fp16 bit patterns.
  function automatic int msb_of(input int m);
    int n;
    n = 0;
    for (int i = 0; i < 31; i++) if (m >= (1 << i)) n = i;
    return n;
  endfunction
  function automatic logic [31:0] to_fp32(input int v);
    int m, e;
    logic [31:0] f;
    if (v == 0) return 32'h0;
    m = (v < 0) ? -v : v;
    e = msb_of(m);
    f = 32'(m) << (23 - e);
    return {(v < 0), 8'(127 + e), f[22:0]};
  endfunction
  function automatic logic [15:0] to_op(input int v);  // |v| <= 16
    int m, e;
    logic [31:0] f;
    if (DType == 0) return 16'(v);
    if (v == 0) return 16'h0;
    f = to_fp32(v);
    if (DType == 1) return f[31:16];
    m = (v < 0) ? -v : v;
    e = msb_of(m);
    f = 32'(m) << (10 - e);
    return {(v < 0), 5'(15 + e), f[9:0]};
  endfunction

  // Expected results: block b, row r, column c at exp_res[(b*Rows + r)*Cols + c]; the edge
  // that sampled block b's last beat at exp_tl[b]; blocks 0 .. nblk-1 are defined.
  logic [31:0] exp_res [Blocks*Rows*Cols];
  int          exp_tl  [Blocks];
  int          nblk = 0;
  logic [31:0] acc [Rows*Cols];  // int8: int32 sum; fp: exact integer sum
  int          xv [Rows];
  int          wv [Cols];
  int          iv [Cols];

  int cycle = 0;  // in an always @(posedge): index of this edge; at a negedge: of the next
  always @(posedge clk) cycle <= cycle + 1;

  int beats = 0;

  // Garbage on every input (used while in_valid is low).
  task automatic drive_idle;
    in_valid = 1'b0;
    in_first = 1'($random(seed));
    in_last  = 1'($random(seed));
    for (int r = 0; r < Rows; r++) in_data[r*DW +: DW] = DW'($random(seed));
    for (int c = 0; c < Cols; c++) w_data[c*DW +: DW] = DW'($random(seed));
    for (int c = 0; c < Cols; c++) in_psum[c*32 +: 32] = 32'($random(seed));
    @(negedge clk);
  endtask

  // ------------------------------------------------------------------------------------
  // Driver
  // ------------------------------------------------------------------------------------
  initial begin
    int len, gap, prev_tl, s;
    done = 1'b0;
    seed = Seed;
    if ($value$plusargs("seed=%d", s)) seed = s * 7919 + Seed;
    seed0 = seed;
    prev_tl = -1000;
    @(posedge rst_n);
    @(negedge clk);
    for (int b = 0; b < Blocks; b++) begin
      // Between blocks: often none, sometimes a few idle cycles.
      gap = (urange(0, 2) == 0) ? urange(1, 6) : 0;
      repeat (gap) drive_idle;
      len = (urange(0, 3) == 0) ? urange(1, 3) : urange(1, 20);
      for (int j = 0; j < len; j++) begin
        if (j > 0 && urange(0, 3) == 0) begin
          gap = urange(1, 3);
          repeat (gap) drive_idle;
        end
        if (j == len - 1) begin
          while (cycle < prev_tl + Rows) drive_idle;
        end
        in_valid = 1'b1;
        in_first = (j == 0);
        in_last  = (j == len - 1);
        for (int r = 0; r < Rows; r++) begin
          xv[r] = (urange(0, 4) == 0) ? 0 : (DType == 0) ? urange(-128, 127) : urange(-16, 16);
          in_data[r*DW +: DW] = DW'(to_op(xv[r]));
        end
        for (int c = 0; c < Cols; c++) begin
          wv[c] = (urange(0, 4) == 0) ? 0 : (DType == 0) ? urange(-128, 127) : urange(-16, 16);
          w_data[c*DW +: DW] = DW'(to_op(wv[c]));
          iv[c] = (DType == 0) ? $random(seed) : urange(-1000, 1000);
          in_psum[c*32 +: 32] = (DType == 0) ? 32'(iv[c]) : to_fp32(iv[c]);
        end
        for (int r = 0; r < Rows; r++) begin
          for (int c = 0; c < Cols; c++) begin
            if (j == 0) acc[r*Cols + c] = 32'(iv[c]);
            acc[r*Cols + c] = acc[r*Cols + c] + 32'(xv[r] * wv[c]);
          end
        end
        if (j == len - 1) begin
          for (int i = 0; i < Rows * Cols; i++) begin
            exp_res[b*Rows*Cols + i] = (DType == 0) ? acc[i] : to_fp32($signed(acc[i]));
          end
          exp_tl[b] = cycle;
          prev_tl = cycle;
          nblk = b + 1;
        end
        beats = beats + 1;
        @(negedge clk);
      end
    end
    repeat (Drain + 4) drive_idle;
    done = 1'b1;
  end

  // ------------------------------------------------------------------------------------
  // Checker
  // ------------------------------------------------------------------------------------
  int base = 0, outputs = 0;
  logic [63:0] m_beats = '0, m_busy = '0, m_macs = '0, m_gated = '0;
  logic        m_open = 1'b0;
  int          m_busy_until = -1;
  logic        vhist [HistW];  // vhist[d]: in_valid at edge (this edge - 1 - d)
  int          npe [HistW];    // npe[d]: PEs with r + c == d

  initial begin
    for (int d = 0; d < HistW; d++) begin
      vhist[d] = 1'b0;
      npe[d] = 0;
    end
    for (int r = 0; r < Rows; r++)
      for (int c = 0; c < Cols; c++) npe[r + c] = npe[r + c] + 1;
  end

  task automatic fail(input string what);
    errors = errors + 1;
    if (errors <= 10)
      $display("TB FAIL: %0dx%0d dtype %0d seed %0d edge %0d: %s", Rows, Cols, DType, seed0,
               cycle, what);
  endtask

  always @(posedge clk) begin
    logic exp_v;
    int i, row, macs_inc, nx, nw;
    logic [31:0] e;
    if (rst_n) begin
      // Output rows
      while (base < nblk && cycle > exp_tl[base] + Drain) base = base + 1;
      exp_v = 1'b0;
      i = 0;
      if (base < nblk) begin
        i = cycle - (exp_tl[base] + Lat);
        exp_v = (i >= 0 && i < Rows);
      end
      if (out_valid !== exp_v) begin
        fail($sformatf("out_valid %b expected %b", out_valid, exp_v));
      end else if (exp_v) begin
        row = Rows - 1 - i;
        for (int c = 0; c < Cols; c++) begin
          e = exp_res[(base*Rows + row)*Cols + c];
          if (out_psum[c*32 +: 32] !== e)
            fail($sformatf("block %0d (t_L %0d) output %0d row %0d col %0d: got %h expected %h",
                           base, exp_tl[base], i, row, c, out_psum[c*32 +: 32], e));
        end
        outputs = outputs + 1;
      end
      // Counters hold the counts of the edges before this one.
      if (c_beats !== m_beats || c_busy !== m_busy || c_macs !== m_macs || c_wbeats !== 64'd0 ||
          c_gated !== m_gated)
        fail($sformatf("counters beats %0d/%0d busy %0d/%0d macs %0d/%0d gated %0d/%0d wbeats %0d (got/exp)",
                       c_beats, m_beats, c_busy, m_busy, c_macs, m_macs, c_gated, m_gated, c_wbeats));
      // int8 gates every MAC of a zero x or a zero w (rtl/pecos_mac_fn.svh); fp does not gate
      nx = 0;
      nw = 0;
      for (int r = 0; r < Rows; r++) nx = nx + int'(in_data[r*DW +: DW] != '0);
      for (int c = 0; c < Cols; c++) nw = nw + int'(w_data[c*DW +: DW] != '0);
      if (in_valid && DType == 0) m_gated = m_gated + 64'(Rows * Cols - nx * nw);
      macs_inc = 0;
      for (int d = 0; d < HistW; d++) if (vhist[d]) macs_inc = macs_inc + npe[d];
      m_macs  = m_macs + 64'(macs_inc);
      m_beats = m_beats + 64'(in_valid);
      m_busy  = m_busy + 64'(in_valid || m_open || cycle <= m_busy_until);
      if (in_valid) begin
        m_open = !in_last;
        if (in_last) m_busy_until = cycle + Drain;
      end
      for (int d = HistW - 1; d > 0; d--) vhist[d] = vhist[d-1];
      vhist[0] = in_valid;
    end
  end

  // End-of-run totals
  always @(posedge done) begin
    if (outputs != nblk * Rows)
      fail($sformatf("%0d output rows, expected %0d", outputs, nblk * Rows));
    if (nblk != Blocks || c_beats != 64'(beats) || c_macs != 64'(beats * Rows * Cols))
      fail($sformatf("totals blocks %0d beats %0d/%0d macs %0d/%0d", nblk, c_beats, beats,
                     c_macs, beats * Rows * Cols));
    $display("tb_array_os %0dx%0d dtype %0d seed %0d: %0d blocks, %0d beats, %0d busy cycles, %0d errors",
             Rows, Cols, DType, seed0, nblk, beats, c_busy, errors);
  end
endmodule

module tb_array_os;
  localparam int N = 9;

  logic clk = 1'b0;
  logic rst_n = 1'b0;
  logic        done [N];
  logic [31:0] nerr [N];

  always #5 clk = ~clk;

  tb_os_run #(.Rows(4),  .Cols(4),  .DType(0), .Seed(1), .Blocks(80)) u_i8_4x4 (
    .clk(clk), .rst_n(rst_n), .done(done[0]), .nerr(nerr[0]));
  tb_os_run #(.Rows(3),  .Cols(5),  .DType(0), .Seed(2), .Blocks(80)) u_i8_3x5 (
    .clk(clk), .rst_n(rst_n), .done(done[1]), .nerr(nerr[1]));
  tb_os_run #(.Rows(5),  .Cols(3),  .DType(0), .Seed(3), .Blocks(80)) u_i8_5x3 (
    .clk(clk), .rst_n(rst_n), .done(done[2]), .nerr(nerr[2]));
  tb_os_run #(.Rows(1),  .Cols(1),  .DType(0), .Seed(4), .Blocks(80)) u_i8_1x1 (
    .clk(clk), .rst_n(rst_n), .done(done[3]), .nerr(nerr[3]));
  tb_os_run #(.Rows(1),  .Cols(4),  .DType(0), .Seed(5), .Blocks(80)) u_i8_1x4 (
    .clk(clk), .rst_n(rst_n), .done(done[4]), .nerr(nerr[4]));
  tb_os_run #(.Rows(4),  .Cols(1),  .DType(0), .Seed(6), .Blocks(80)) u_i8_4x1 (
    .clk(clk), .rst_n(rst_n), .done(done[5]), .nerr(nerr[5]));
  tb_os_run #(.Rows(16), .Cols(16), .DType(0), .Seed(7), .Blocks(30)) u_i8_16x16 (
    .clk(clk), .rst_n(rst_n), .done(done[6]), .nerr(nerr[6]));
  tb_os_run #(.Rows(4),  .Cols(3),  .DType(1), .Seed(8), .Blocks(60)) u_bf16_4x3 (
    .clk(clk), .rst_n(rst_n), .done(done[7]), .nerr(nerr[7]));
  tb_os_run #(.Rows(3),  .Cols(4),  .DType(2), .Seed(9), .Blocks(60)) u_fp16_3x4 (
    .clk(clk), .rst_n(rst_n), .done(done[8]), .nerr(nerr[8]));

  int total;
  logic all_done;
  always_comb begin
    all_done = 1'b1;
    for (int k = 0; k < N; k++) all_done = all_done & (done[k] === 1'b1);
  end

  initial begin
    repeat (2) @(posedge clk);
    @(negedge clk);
    rst_n = 1'b1;
    fork
      wait (all_done);
      begin
        #10_000_000;
        $display("TB FAIL: timeout");
      end
    join_any
    @(negedge clk);
    total = 0;
    for (int k = 0; k < N; k++) total = total + int'(nerr[k]);
    if (!all_done) total = total + 1;
    if (total == 0) $display("TB PASS");
    else $display("TB FAIL: %0d errors (re-run: vvp tb_array_os.vvp +seed=N; default seeds are 1..9)", total);
    $finish;
  end
endmodule
