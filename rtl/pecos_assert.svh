// pecos_assert.svh: named assertions for rtl/, in the spirit of lowRISC's prim_assert.
//
//   `PECOS_ASSERT(Name, Prop)       Prop holds at every rising clk_i edge while rst_ni is high
//                                   (sampled values: flops before the edge, inputs as driven)
//   `PECOS_ASSERT_IMPL(Name, A, C)  A implies C at every such edge
//   `PECOS_ASSERT_INIT(Name, Prop)  Prop holds at time 0 (parameter ranges, elaboration)
//
// Every macro uses the module's clk_i and rst_ni (the project's port names). A failure prints
// one line "PECOS_ASSERT <Name> failed: <Prop>" through $error, which names the assertion;
// the simulator adds file, line and instance. Use the macros in an "Assertions" section at
// the end of a module, inside `ifndef SYNTHESIS.
//
// Per tool:
//   In Verilator (--assert): a concurrent `assert property` with disable iff, so that the
//       reset is not flagged as both synchronous and asynchronous by lint. The shim
//       (sim/vsim.cpp) turns $error into a run failure that names the cycle.
//   Icarus 11 (no concurrent assertions): the same check in an always block.
//   Yosys and any tool that defines SYNTHESIS: the macros expand to nothing.
`ifndef PECOS_ASSERT_SVH
`define PECOS_ASSERT_SVH

`ifdef SYNTHESIS

`define PECOS_ASSERT(Name, Prop)
`define PECOS_ASSERT_IMPL(Name, A, C)
`define PECOS_ASSERT_INIT(Name, Prop)

`elsif VERILATOR

`define PECOS_ASSERT(Name, Prop) \
  Name: assert property (@(posedge clk_i) disable iff (!rst_ni) (Prop)) \
    else $error("PECOS_ASSERT %s failed: %s", `"Name`", `"Prop`");
`define PECOS_ASSERT_IMPL(Name, A, C) \
  Name: assert property (@(posedge clk_i) disable iff (!rst_ni) (!(A) || (C))) \
    else $error("PECOS_ASSERT %s failed: %s |-> %s", `"Name`", `"A`", `"C`");
`define PECOS_ASSERT_INIT(Name, Prop) \
  initial begin : Name \
    assert (Prop) else $error("PECOS_ASSERT %s failed: %s", `"Name`", `"Prop`"); \
  end

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
`define PECOS_ASSERT_INIT(Name, Prop) \
  initial begin : Name \
    if (!(Prop)) $error("PECOS_ASSERT %s failed: %s", `"Name`", `"Prop`"); \
  end

`endif

`endif  // PECOS_ASSERT_SVH
