/* dma.h - the DRAM model and the DMA engine that moves tiles between DRAM and the GLB.
 *
 * DRAM is a byte array (the layer's tensors at addresses the mapper assigned) behind one
 * channel: a descriptor issued at cycle x starts moving at max(x + latency, channel free)
 * and holds the channel for its bus bytes / bw cycles, where bus bytes round every
 * contiguous run of DRAM bytes up to whole bursts (runs that touch are merged first); it is
 * done at the ceiling of that, and its data is usable from that cycle on. bw = 0 is
 * unlimited (done at x + latency). Descriptors complete in issue order; the copy happens at
 * completion, so a reader that runs ahead of the DMA sees stale data (and fails the check).
 *
 * The bytes live in the byte array, or behind a port (dma_set_port): then each contiguous run
 * of a descriptor is one read or write call at completion, and a failed call (a bus error)
 * stops the copying: dma_failed() says so and no later descriptor completes.
 *
 * A descriptor is a 3-D strided move: n2 blocks of n1 runs of `run` bytes, with separate
 * strides on the DRAM and the GLB side. With a trace file, each descriptor writes one line
 * when issued: cycle issued, cycle done, bytes, source, destination, what.
 */
#ifndef PECOS_DMA_H
#define PECOS_DMA_H

#include <stdint.h>
#include <stdio.h>

#include "mem_model.h"

typedef struct {
    int to_dram;            /* 0: DRAM -> GLB, 1: GLB -> DRAM */
    uint64_t dram_addr;
    uint8_t *glb;           /* GLB bank memory (bank base + offset) */
    uint64_t glb_room;      /* bytes from glb to the end of the bank */
    const char *glb_name;   /* e.g. "glb.ifmap[1]" */
    uint64_t glb_off;       /* offset in the bank, for the trace */
    uint64_t n2, n1, run;   /* blocks, runs per block, bytes per run */
    uint64_t dram_s2, dram_s1, glb_s2, glb_s1; /* strides in bytes */
    int kind;               /* caller's tag (which tensor) */
    int64_t ref;            /* caller's tag (which load / visit) */
    char what[48];          /* for the trace */
    /* filled by dma_issue */
    uint64_t id, bytes, issued, done;
} dma_desc_t;

/* Where the DRAM bytes are when they are not in dma_t.dram (the SystemC backend: system
 * memory behind a TLM initiator socket). kind is the descriptor's tag, dram_addr the address
 * in the layer's DRAM image. Each returns 0, or nonzero when the transfer failed. */
typedef struct {
    int (*read)(void *ctx, int kind, uint64_t dram_addr, void *dst, uint64_t n);
    int (*write)(void *ctx, int kind, uint64_t dram_addr, const void *src, uint64_t n);
    void *ctx;
} dma_port_t;

typedef struct {
    uint8_t *dram;          /* NULL with a port */
    uint64_t dram_size;
    const dma_port_t *port; /* or NULL: the byte array */
    int failed;             /* a port call failed (sticky) */
    uint64_t failed_addr;   /* the DRAM image address of that run */
    dram_timing_t dt;
    double chan;            /* cycle from which the channel is free */
    dma_desc_t *q;          /* FIFO of issued, not completed descriptors */
    uint64_t head, len, cap;
    uint64_t next_id;
    uint64_t rd_bytes, wr_bytes, bus_bytes, descs;
    FILE *trace;
    const char *layer;      /* for the trace */
} dma_t;

/* dram must stay valid while d is used; trace may be NULL. Returns 0 or PECOS_ENOMEM. */
int dma_init(dma_t *d, uint8_t *dram, uint64_t dram_size, const dram_timing_t *dt,
             FILE *trace, const char *layer);
void dma_free(dma_t *d);

/* Moves the bytes through port instead of the byte array (port must stay valid). */
static inline void dma_set_port(dma_t *d, const dma_port_t *port) { d->port = port; }
/* Whether a port call failed; *addr: the DRAM image address of the run that failed. */
static inline int dma_failed(const dma_t *d, uint64_t *addr)
{
    *addr = d->failed_addr;
    return d->failed;
}

/* Queues desc (copied) at cycle now; sets its id, bytes, issued and done. Returns 0,
 * PECOS_ENOMEM, or PECOS_ESIM when the move leaves DRAM or the GLB bank (a host bug). */
int dma_issue(dma_t *d, dma_desc_t *desc, uint64_t now);

/* Completes, in order, every descriptor done at or before cycle now: copies its bytes and
 * calls done_cb(ctx, desc). */
void dma_poll(dma_t *d, uint64_t now, void (*done_cb)(void *ctx, const dma_desc_t *desc),
              void *ctx);

/* Whether a descriptor is in flight. */
static inline int dma_busy(const dma_t *d) { return d->len != 0; }
/* Whether the oldest descriptor in flight is done at or before cycle now (dma_poll would
 * complete it). */
static inline int dma_due(const dma_t *d, uint64_t now)
{
    return d->len != 0 && d->q[d->head].done <= now;
}
/* Channel bytes (runs rounded up to bursts) and descriptors issued so far. */
static inline uint64_t dma_bus_bytes(const dma_t *d) { return d->bus_bytes; }
static inline uint64_t dma_descs(const dma_t *d) { return d->descs; }

#endif
