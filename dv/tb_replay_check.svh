// tb_replay_check.svh - the one comparison of the replay testbenches (dv/tb_replay_ws.sv,
// tb_replay_os.sv, tb_replay_post.sv), after a step's rising edge: out_valid OV against the
// dump's EV[0]; when both are valid, each of the N lanes of W bits of OD against ED. Any X or
// Z on OV, or on a valid lane, is an error. Uses the bench's steps, outs, errors and xz.
`ifndef TB_REPLAY_CHECK_SVH
`define TB_REPLAY_CHECK_SVH
`define TB_REPLAY_COMPARE(OV, OD, EV, ED, N, W) \
  if ((^(OV)) === 1'bx) begin \
    xz = xz + 1; \
    if (errors++ < 10) $display("TB FAIL: step %0d: out_valid is %b", steps, OV); \
  end else if ((OV) !== (EV[0])) begin \
    if (errors++ < 10) \
      $display("TB FAIL: step %0d: out_valid %b, the verilated model had %0d", steps, OV, EV[0]); \
  end else if (OV) begin \
    outs = outs + 1; \
    for (int l = 0; l < (N); l++) begin \
      if ((^(OD[l*(W) +: (W)])) === 1'bx) begin \
        xz = xz + 1; \
        if (errors++ < 10) $display("TB FAIL: step %0d lane %0d: X/Z %h", steps, l, OD[l*(W) +: (W)]); \
      end else if (OD[l*(W) +: (W)] !== ED[l*(W) +: (W)]) begin \
        if (errors++ < 10) \
          $display("TB FAIL: step %0d lane %0d: got %h, the verilated model had %h", steps, l, \
                   OD[l*(W) +: (W)], ED[l*(W) +: (W)]); \
      end \
    end \
  end
`endif
