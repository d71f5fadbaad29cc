/* pecos_accel_regs.h - the register map of pecos_accel, the accelerator as a SystemC/TLM-2.0
 * component (sim/sc/pecos_accel.h). Plain C: driver code includes it as it is.
 *
 * Every register is 32 bits wide at a 4-byte aligned offset from the accelerator's base
 * address; 64-bit values are two registers, the low word first (_LO, _HI). Accesses of other
 * sizes or alignments get TLM_BURST_ERROR_RESPONSE / TLM_ADDRESS_ERROR_RESPONSE, an offset
 * outside the map TLM_ADDRESS_ERROR_RESPONSE. Writes to read-only registers are ignored.
 *
 * A job is one layer (OP_CONV: a convolution or fc on the PE array, any groups) or one map
 * through the post-processing unit (OP_POST). The driver writes the descriptor block
 * (PECOS_REG_DESC ... PECOS_REG_DESC_END), then writes CTRL.START. The accelerator reads its
 * operands from system memory through its initiator socket, writes the results there, sets
 * STATUS.DONE (and STATUS.ERR on failure) and raises the interrupt if IRQ_EN.DONE is set.
 * With QUEUE_LEN = N > 0, START runs N descriptors from memory instead (QUEUE_ADDR: N blocks
 * of PECOS_DESC_WORDS words, each the image of the descriptor block) and interrupts once,
 * after the last or the first that fails; DONE_COUNT says how many completed.
 *
 * Tensor layouts in system memory (little-endian, dense):
 *   OP_CONV: ifmap [C,H,W] and weights [K,C/G,R,S] of DTYPE (int8; bf16/fp16 as 16-bit
 *   patterns), bias [K] int32 (fp: fp32 patterns; BIAS_ADDR 0: no bias), output [K,P,Q]
 *   int32 (fp: fp32). The output area also holds spilled partial sums while the layer runs.
 *   OP_POST: input [C,H,W] int32 at IFMAP_ADDR, bias at BIAS_ADDR (0: none; per channel
 *   [C] or, with PP_FLAGS.BIAS_ELEM, per element [C,H,W] int32), output [C,P,Q] int8 at
 *   OUT_ADDR.
 *   TRACE_ADDR (optional, 0: none): per output, the accelerator's cycle it left the array
 *   or the unit (uint64 [n]), then for OP_CONV the output lane (uint16 [n]).
 */
#ifndef PECOS_ACCEL_REGS_H
#define PECOS_ACCEL_REGS_H

#define PECOS_ACCEL_ID_VALUE 0x50454353u /* "PECS" */
#define PECOS_ACCEL_VERSION_VALUE 1u

/* --- Identification and configuration (read-only) ----------------------------------- */
#define PECOS_REG_ID 0x000      /* PECOS_ACCEL_ID_VALUE */
#define PECOS_REG_VERSION 0x004 /* PECOS_ACCEL_VERSION_VALUE */
#define PECOS_REG_HWCFG0 0x008  /* [15:0] rows, [31:16] cols */
#define PECOS_REG_HWCFG1 0x00c  /* [3:0] dtype, [7:4] array (0 ws: WS and IS, 2 os),
                                   [15:8] PPU latency, [31:16] PPU lanes */
#define PECOS_REG_GLB_KIB 0x010 /* unified GLB KiB (0: unbounded or separate partitions) */

/* --- Control and status -------------------------------------------------------------- */
#define PECOS_REG_CTRL 0x020       /* write: [0] START (ignored while busy: STATUS.OVERRUN) */
#define PECOS_REG_STATUS 0x024     /* [0] BUSY, [1] DONE, [2] OVERRUN (a START was ignored
                                      while busy; cleared by the next START), [15:8] ERR
                                      (PECOS_ERR_*), [31:16] index of the descriptor that
                                      failed */
#define PECOS_REG_IRQ_EN 0x028     /* [0] DONE */
#define PECOS_REG_IRQ_STATUS 0x02c /* [0] DONE; write 1 to clear (lowers the interrupt) */
#define PECOS_REG_QUEUE_ADDR_LO 0x030
#define PECOS_REG_QUEUE_ADDR_HI 0x034
#define PECOS_REG_QUEUE_LEN 0x038  /* 0: run the descriptor block; N: N descriptors */
#define PECOS_REG_DONE_COUNT 0x03c /* descriptors completed since START (read-only) */

#define PECOS_CTRL_START 0x1u
#define PECOS_STATUS_BUSY 0x1u
#define PECOS_STATUS_DONE 0x2u
#define PECOS_STATUS_OVERRUN 0x4u
#define PECOS_STATUS_ERR(s) (((s) >> 8) & 0xffu)
#define PECOS_STATUS_ERR_INDEX(s) (((s) >> 16) & 0xffffu)
#define PECOS_IRQ_DONE 0x1u

/* Error codes (STATUS.ERR) */
enum {
    PECOS_ERR_NONE = 0,
    PECOS_ERR_OP = 1,        /* OP is not OP_CONV or OP_POST */
    PECOS_ERR_DTYPE = 2,     /* DTYPE unknown or not this array's */
    PECOS_ERR_DATAFLOW = 3,  /* DATAFLOW unknown or not one this array runs */
    PECOS_ERR_SHAPE = 4,     /* invalid shape, stride, padding, groups or pooling */
    PECOS_ERR_FIT = 5,       /* does not fit the GLB or the DRAM (or a forced tiling) */
    PECOS_ERR_ADDR = 6,      /* a tensor address missing, or its area wraps around */
    PECOS_ERR_BUS = 7,       /* a transaction on the initiator socket failed */
    PECOS_ERR_RTL = 8,       /* an RTL assertion or protocol error of the array or unit */
    PECOS_ERR_NOMEM = 9,     /* the simulation ran out of host memory */
};

/* --- The descriptor block ------------------------------------------------------------ */
#define PECOS_REG_DESC 0x100
#define PECOS_REG_OP 0x100        /* PECOS_OP_* */
#define PECOS_REG_DTYPE 0x104     /* PECOS_DTYPE_*: must be the array's */
#define PECOS_REG_DATAFLOW 0x108  /* PECOS_DF_*: WS and IS on a ws array, OS on an os one */
#define PECOS_REG_C 0x10c         /* input channels */
#define PECOS_REG_H 0x110
#define PECOS_REG_W 0x114
#define PECOS_REG_K 0x118         /* output channels (OP_CONV) */
#define PECOS_REG_R 0x11c         /* kernel (OP_CONV) or pooling window (OP_POST) */
#define PECOS_REG_S 0x120
#define PECOS_REG_STRIDE 0x124    /* [15:0] stride_h, [31:16] stride_w (OP_POST: [15:0]) */
#define PECOS_REG_DIL 0x128       /* [15:0] dil_h, [31:16] dil_w (OP_CONV) */
#define PECOS_REG_PAD 0x12c       /* [7:0] top, [15:8] left, [23:16] bottom, [31:24] right */
#define PECOS_REG_PAD_VALUE 0x130 /* int8 value of padded cells (OP_CONV int8) */
#define PECOS_REG_GROUPS 0x134    /* OP_CONV: groups (divides C and K) */
#define PECOS_REG_IFMAP_ADDR_LO 0x138
#define PECOS_REG_IFMAP_ADDR_HI 0x13c
#define PECOS_REG_WEIGHT_ADDR_LO 0x140
#define PECOS_REG_WEIGHT_ADDR_HI 0x144
#define PECOS_REG_BIAS_ADDR_LO 0x148 /* 0: no bias */
#define PECOS_REG_BIAS_ADDR_HI 0x14c
#define PECOS_REG_OUT_ADDR_LO 0x150
#define PECOS_REG_OUT_ADDR_HI 0x154
#define PECOS_REG_TRACE_ADDR_LO 0x158 /* 0: no trace */
#define PECOS_REG_TRACE_ADDR_HI 0x15c
#define PECOS_REG_TILE 0x160      /* OP_CONV: force a tiling: [11:0] kt, [23:12] pt,
                                     [26:24] order (PECOS_ORDER_*); 0: the tiler chooses */
#define PECOS_REG_TILE_CT 0x164   /* forced ct (with TILE) */
#define PECOS_REG_PP_FLAGS 0x168  /* OP_POST: [0] RQ_EN, [1] RELU, [2] BIAS_ELEM,
                                     [5:4] pool (0 none, 1 max, 2 avg) */
#define PECOS_REG_PP_MULT 0x16c   /* Q31 multiplier (< 2^31) */
#define PECOS_REG_PP_SHIFT 0x170  /* 0..32 */
#define PECOS_REG_PP_ZP 0x174     /* int8 output zero point */
#define PECOS_REG_FAULT_LO 0x178  /* self-test: corrupt the first output at or after this */
#define PECOS_REG_FAULT_HI 0x17c  /*   accelerator cycle (all ones: never; the reset value) */
#define PECOS_REG_DESC_END 0x180
#define PECOS_DESC_WORDS ((PECOS_REG_DESC_END - PECOS_REG_DESC) / 4)

#define PECOS_OP_CONV 1u
#define PECOS_OP_POST 2u
#define PECOS_DTYPE_INT8 0u
#define PECOS_DTYPE_BF16 1u
#define PECOS_DTYPE_FP16 2u
#define PECOS_DF_WS 0u
#define PECOS_DF_IS 1u
#define PECOS_DF_OS 2u
#define PECOS_PP_RQ_EN 0x1u
#define PECOS_PP_RELU 0x2u
#define PECOS_PP_BIAS_ELEM 0x4u
#define PECOS_PP_POOL(f) (((f) >> 4) & 3u)
/* TILE.order: the loop nest, outermost first (k: output channels, c: input channels,
 * p: output rows) */
enum { PECOS_ORDER_KCP = 0, PECOS_ORDER_KPC, PECOS_ORDER_CKP, PECOS_ORDER_CPK,
       PECOS_ORDER_PKC, PECOS_ORDER_PCK };

/* --- Counters of the last job (read-only, 64 bits: _LO at the offset, _HI at +4) ----- */
#define PECOS_REG_CNT 0x200
#define PECOS_CNT(i) (PECOS_REG_CNT + 8 * (i))
enum {
    PECOS_CNT_CYCLES = 0,     /* the job's cycles (OP_CONV: first cycle to the last output
                                 in DRAM; OP_POST: first beat to the last result) */
    PECOS_CNT_START_CYCLE,    /* the array's (unit's) cycle at the job's first cycle */
    PECOS_CNT_BEATS,          /* data beats issued (OP_POST: window cells fed) */
    PECOS_CNT_WBEATS,         /* held-operand beats issued */
    PECOS_CNT_OS_BLOCKS,      /* OS blocks issued */
    PECOS_CNT_RTL_BEATS,      /* the array's own counters over the job */
    PECOS_CNT_RTL_WBEATS,
    PECOS_CNT_RTL_BUSY,
    PECOS_CNT_RTL_MACS,
    PECOS_CNT_STALL_COMPUTE,  /* every cycle is one of these four */
    PECOS_CNT_STALL_FILL_DRAIN,
    PECOS_CNT_STALL_DMA,
    PECOS_CNT_STALL_GLB_PORT,
    PECOS_CNT_DRAM_RD,        /* 5 counters: ifmap, weight, bias, psum, out */
    PECOS_CNT_DRAM_WR = PECOS_CNT_DRAM_RD + 5,
    PECOS_CNT_DRAM_BUS = PECOS_CNT_DRAM_WR + 5, /* channel bytes (bursts) */
    PECOS_CNT_DESCS,          /* DMA descriptors */
    PECOS_CNT_GLB_RD,         /* 3 counters: ifmap, weight, psum partitions */
    PECOS_CNT_GLB_WR = PECOS_CNT_GLB_RD + 3,
    PECOS_CNT_GLB_BANK = PECOS_CNT_GLB_WR + 3, /* bytes of one bank of each partition */
    PECOS_CNT_DRAM_BYTES = PECOS_CNT_GLB_BANK + 3, /* DRAM the layer's tensors occupy */
    PECOS_CNT_TILING,         /* the tiling used: [11:0] kt, [23:12] pt, [26:24] order,
                                 [27] cf_major, [63:32] ct */
    PECOS_CNT_OUTPUTS,        /* OP_POST: int8 results */
    PECOS_CNT_SEQ_BUSY,       /* the sequencer's own count of the cycles the array's busy
                                 counter counts (a beat entering, an OS block open, an output
                                 owed): equal to RTL_BUSY on working hardware */
    PECOS_CNT_RTL_GATED,      /* the array's gated MACs (an operand of zero; int8) */
    PECOS_CNT_SEQ_GATED,      /* the sequencer's own count of them, from the lanes it drove:
                                 equal to RTL_GATED on working hardware */
    PECOS_CNT_N
};
#define PECOS_REG_CNT_END PECOS_CNT(PECOS_CNT_N)

#endif
