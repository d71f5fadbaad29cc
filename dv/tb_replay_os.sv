// tb_replay_os: replays a dump of `pecos run --replay-dump` (host/dev/replay.h) against
// pecos_array_os in Icarus (4-state) and compares every cycle's out_valid and, when valid,
// every output lane with what the verilated model returned; any X or Z on out_valid, or on
// out_psum while valid, is an error. +dump=FILE names the dump; the parameters must match
// its header (dv/replay.sh passes them). Prints "TB PASS" or "TB FAIL" with the first
// mismatches (step, lane, expected, got).
`include "tb_replay_check.svh"

module tb_replay_os #(
  parameter int Rows  = 4,
  parameter int Cols  = 4,
  parameter int DType = 0
);
  localparam int DW = (DType == 0) ? 8 : 16;

  logic               clk = 1'b0, rst_n = 1'b0;
  logic               in_valid = 1'b0, in_first = 1'b0, in_last = 1'b0;
  logic [Rows*DW-1:0] in_data = '0;
  logic [Cols*DW-1:0] w_data = '0;
  logic [Cols*32-1:0] in_psum = '0;
  logic               out_valid;
  logic [Cols*32-1:0] out_psum;
  logic [63:0]        cnt_beats, cnt_wbeats, cnt_busy, cnt_macs, cnt_gated;

  pecos_array_os #(.Rows(Rows), .Cols(Cols), .DType(DType)) dut (
    .clk_i        (clk),
    .rst_ni       (rst_n),
    .in_valid_i   (in_valid),
    .in_first_i   (in_first),
    .in_last_i    (in_last),
    .in_data_i    (in_data),
    .w_data_i     (w_data),
    .in_psum_i    (in_psum),
    .out_valid_o  (out_valid),
    .out_psum_o   (out_psum),
    .cnt_beats_o  (cnt_beats),
    .cnt_wbeats_o (cnt_wbeats),
    .cnt_busy_o   (cnt_busy),
    .cnt_macs_o   (cnt_macs),
    .cnt_gated_o  (cnt_gated)
  );

  // As vsim_reset: lanes idle, reset low over two rising edges, then released.
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

  integer fd, n, steps, outs, errors, xz, stop;
  reg [8*256-1:0]     line;
  reg [7:0]           tag;
  reg [31:0]          f_iv, f_if, f_il, f_ov;
  reg [Rows*DW-1:0]   f_id;
  reg [Cols*DW-1:0]   f_wd;
  reg [Cols*32-1:0]   f_ip, f_op;
  string              path;

  initial begin
    steps = 0; outs = 0; errors = 0; xz = 0; stop = 0;
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
    do_reset;            // the one vsim_open applied before recording began
    while (!stop && $fscanf(fd, " %c", tag) == 1) begin
      if (tag == "R") begin
        do_reset;
      end else if (tag == "S") begin
        n = $fscanf(fd, "%h %h %h %h %h %h %h %h", f_iv, f_if, f_il, f_id, f_wd, f_ip, f_ov, f_op);
        if (n != 8) begin
          $display("TB FAIL: %0s: step %0d: malformed line (%0d fields)", path, steps, n);
          errors = errors + 1;
          stop = 1;
        end else begin
        // As vsim_step: the payload changes only with in_valid, in_psum only on a first beat.
        in_valid = f_iv[0];
        if (in_valid) begin
          in_first = f_if[0];
          in_last  = f_il[0];
          in_data  = f_id;
          w_data   = f_wd;
          if (in_first) in_psum = f_ip;
        end
        #5 clk = 1'b1;
        #1;
        `TB_REPLAY_COMPARE(out_valid, out_psum, f_ov, f_op, Cols, 32)
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
    if (steps == 0 || outs == 0) begin
      $display("TB FAIL: %0s: %0d steps, %0d outputs: nothing was compared", path, steps, outs);
      errors = errors + 1;
    end
    $display("%0s: tb_replay_os %0dx%0d dtype %0d: %0d steps, %0d outputs compared, %0d X/Z, %0d errors",
             (errors == 0) ? "TB PASS" : "TB FAIL", Rows, Cols, DType, steps, outs, xz, errors);
    $finish;
  end
endmodule
