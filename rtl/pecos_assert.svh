// pecos_assert.svh: named assertions for rtl/, in the spirit of lowRISC's prim_assert.
//
//   `PECOS_ASSERT(Name, Prop)       Prop holds at every rising clk_i edge while rst_ni is high
//                                   (sampled values: flops before the edge, inputs as driven)
//   `PECOS_ASSERT_IMPL(Name, A, C)  A implies C at every such edge
//   `PECOS_ASSERT_PARAM(Name, Prop) Prop holds for the module's parameters (range checks):
//                                   checked at elaboration, a failure stops the tool
//
// Every macro uses the module's clk_i and rst_ni (the project's port names). A failure prints
// one line "PECOS_ASSERT <Name> failed: <Prop>" through $error, which names the assertion;
// the simulator adds file, line and instance. Use PECOS_ASSERT and PECOS_ASSERT_IMPL in an
// "Assertions" section at the end of a module, inside `ifndef SYNTHESIS; PECOS_ASSERT_PARAM
// in a "Parameters" section after the port list, outside it (synthesis checks them too).
//
// Per tool:
//   In Verilator (--assert): a concurrent `assert property` with disable iff, so that the
//       reset is not flagged as both synchronous and asynchronous by lint. The shim
//       (sim/vsim.cpp) turns $error into a run failure that names the cycle.
//   Icarus 11 (no concurrent assertions): the same check in an always block.
//   Yosys and any tool that defines SYNTHESIS: the macros expand to nothing, except
//       PECOS_ASSERT_PARAM.
//   PECOS_ASSERT_PARAM is a generate-if around an elaboration-time $error (Verilator: the
//       USERERROR warning, which stops verilation; Yosys: an error). Icarus 11 has no
//       elaboration-time system tasks: there the block holds an `initial $fatal`, which
//       stops the simulation at time 0.
`ifndef PECOS_ASSERT_SVH
`define PECOS_ASSERT_SVH

`ifdef __ICARUS__
`define PECOS_ASSERT_PARAM(Name, Prop) \
  if (!(Prop)) begin : Name \
    initial $fatal(1, `"PECOS_ASSERT Name failed: Prop`"); \
  end
`else
`define PECOS_ASSERT_PARAM(Name, Prop) \
  if (!(Prop)) begin : Name \
    $error(`"PECOS_ASSERT Name failed: Prop`"); \
  end
`endif

`ifdef SYNTHESIS

`define PECOS_ASSERT(Name, Prop)
`define PECOS_ASSERT_IMPL(Name, A, C)

`elsif VERILATOR

`define PECOS_ASSERT(Name, Prop) \
  Name: assert property (@(posedge clk_i) disable iff (!rst_ni) (Prop)) \
    else $error("PECOS_ASSERT %s failed: %s", `"Name`", `"Prop`");
`define PECOS_ASSERT_IMPL(Name, A, C) \
  Name: assert property (@(posedge clk_i) disable iff (!rst_ni) (!(A) || (C))) \
    else $error("PECOS_ASSERT %s failed: %s |-> %s", `"Name`", `"A`", `"C`");

`else  // Icarus and other event simulators

`define PECOS_ASSERT(Name, Prop) \
  always @(posedge clk_i) begin : Name \
    if (rst_ni && !(Prop)) $error("PECOS_ASSERT %s failed: %s", `"Name`", `"Prop`"); \
  end
`define PECOS_ASSERT_IMPL(Name, A, C) \
  always @(posedge clk_i) begin : Name \
    if (rst_ni && (A) && !(C)) \
      $error("PECOS_ASSERT %s failed: %s |-> %s", `"Name`", `"A`", `"C`"); \
  end

`endif

`endif  // PECOS_ASSERT_SVH
