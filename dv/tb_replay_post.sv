// tb_replay_post: replays a post-processing dump of `pecos run --network ... --replay-dump`
// (host/dev/replay.h, "# pecos replay post LANES") against pecos_postproc in Icarus
// (4-state) and compares every cycle's out_valid and, when valid, every output lane with
// what the verilated model returned; any X or Z on out_valid, or on out_data while valid, is
// an error. +dump=FILE names the dump; Lanes must match its header (dv/replay.sh passes it).
// Prints "TB PASS" or "TB FAIL" with the first mismatches (step, lane, expected, got).
`include "tb_replay_check.svh"

module tb_replay_post #(
  parameter int Lanes = 4
);
  logic                clk = 1'b0, rst_n = 1'b0;
  logic [30:0]         rq_mult = '0;
  logic [5:0]          rq_shift = '0;
  logic [7:0]          rq_zp = '0;
  logic                rq_en = 1'b0, relu_en = 1'b0;
  logic [1:0]          pool_mode = '0;
  logic                in_valid = 1'b0, in_first = 1'b0, in_last = 1'b0;
  logic [7:0]          in_count = '0;
  logic [Lanes*32-1:0] in_acc = '0, in_bias = '0;
  logic                out_valid;
  logic [Lanes*8-1:0]  out_data;

  pecos_postproc #(.Lanes(Lanes)) dut (
    .clk_i       (clk),
    .rst_ni      (rst_n),
    .rq_mult_i   (rq_mult),
    .rq_shift_i  (rq_shift),
    .rq_zp_i     (rq_zp),
    .rq_en_i     (rq_en),
    .relu_en_i   (relu_en),
    .pool_mode_i (pool_mode),
    .in_valid_i  (in_valid),
    .in_first_i  (in_first),
    .in_last_i   (in_last),
    .in_count_i  (in_count),
    .in_acc_i    (in_acc),
    .in_bias_i   (in_bias),
    .out_valid_o (out_valid),
    .out_data_o  (out_data)
  );

  // As vpost_reset: no beat, reset low over two rising edges, then released (the
  // configuration is kept).
  task automatic do_reset;
    in_valid = 1'b0;
    clk      = 1'b0;
    rst_n    = 1'b0;
    repeat (2) begin
      #5 clk = 1'b1;
      #5 clk = 1'b0;
    end
    rst_n = 1'b1;
  endtask

  integer fd, n, steps, outs, errors, xz, stop, configs;
  reg [8*256-1:0]     line;
  reg [7:0]           tag;
  reg [31:0]          f_v, f_f, f_l, f_n, f_ov, c_m, c_s, c_z, c_rq, c_re, c_p;
  reg [Lanes*32-1:0]  f_acc, f_bias;
  reg [Lanes*8-1:0]   f_od;
  string              path;

  initial begin
    steps = 0; outs = 0; errors = 0; xz = 0; stop = 0; configs = 0;
    if (!$value$plusargs("dump=%s", path)) begin
      $display("TB FAIL: no +dump=FILE");
      $finish;
    end
    fd = $fopen(path, "r");
    if (fd == 0) begin
      $display("TB FAIL: cannot open %0s", path);
      $finish;
    end
    n = $fgets(line, fd);  // the header
    do_reset;              // the one vpost_open applied before recording began
    while (!stop && $fscanf(fd, " %c", tag) == 1) begin
      if (tag == "R") begin
        do_reset;
      end else if (tag == "C") begin
        n = $fscanf(fd, "%h %h %h %h %h %h", c_m, c_s, c_z, c_rq, c_re, c_p);
        if (n != 6) begin
          $display("TB FAIL: %0s: step %0d: malformed configuration (%0d fields)", path, steps, n);
          errors = errors + 1;
          stop = 1;
        end else begin
          // As vpost_config: the inputs change now and take effect at the next edge.
          rq_mult   = c_m[30:0];
          rq_shift  = c_s[5:0];
          rq_zp     = c_z[7:0];
          rq_en     = c_rq[0];
          relu_en   = c_re[0];
          pool_mode = c_p[1:0];
          configs   = configs + 1;
        end
      end else if (tag == "S") begin
        n = $fscanf(fd, "%h %h %h %h %h %h %h %h", f_v, f_f, f_l, f_n, f_acc, f_bias, f_ov, f_od);
        if (n != 8) begin
          $display("TB FAIL: %0s: step %0d: malformed line (%0d fields)", path, steps, n);
          errors = errors + 1;
          stop = 1;
        end else begin
          // As vpost_step: the beat's fields change only with its valid.
          in_valid = f_v[0];
          if (in_valid) begin
            in_first = f_f[0];
            in_last  = f_l[0];
            in_count = f_n[7:0];
            in_acc   = f_acc;
            in_bias  = f_bias;
          end
          #5 clk = 1'b1;
          #1;
          `TB_REPLAY_COMPARE(out_valid, out_data, f_ov, f_od, Lanes, 8)
          #4 clk = 1'b0;
          steps = steps + 1;
        end
      end else begin
        $display("TB FAIL: %0s: step %0d: unknown record '%c'", path, steps, tag);
        errors = errors + 1;
        stop = 1;
      end
    end
    $fclose(fd);
    if (steps == 0 || outs == 0 || configs == 0) begin
      $display("TB FAIL: %0s: %0d steps, %0d configurations, %0d outputs: nothing was compared",
               path, steps, configs, outs);
      errors = errors + 1;
    end
    $display("%0s: tb_replay_post L%0d: %0d configurations, %0d steps, %0d outputs compared, %0d X/Z, %0d errors",
             (errors == 0) ? "TB PASS" : "TB FAIL", Lanes, configs, steps, outs, xz, errors);
    $finish;
  end
endmodule
