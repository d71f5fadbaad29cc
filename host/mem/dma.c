#include "dma.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pecos_err.h"

int dma_init(dma_t *d, uint8_t *dram, uint64_t dram_size, const dram_timing_t *dt,
             FILE *trace, const char *layer)
{
    memset(d, 0, sizeof *d);
    d->dram = dram;
    d->dram_size = dram_size;
    d->dt = *dt;
    d->trace = trace;
    d->layer = layer;
    d->cap = 16;
    d->q = malloc(sizeof(dma_desc_t) * d->cap);
    return d->q ? 0 : PECOS_ENOMEM;
}

void dma_free(dma_t *d)
{
    free(d->q);
    d->q = NULL;
}

/* Bus bytes of desc: its DRAM runs, merged where they touch, rounded up to bursts. */
static uint64_t bus_bytes(const dma_desc_t *x, uint64_t burst)
{
    uint64_t total = 0, cur_start = 0, cur_end = 0;
    int open = 0;
    for (uint64_t b = 0; b < x->n2; b++)
        for (uint64_t r = 0; r < x->n1; r++) {
            const uint64_t a = x->dram_addr + b * x->dram_s2 + r * x->dram_s1;
            if (open && a == cur_end) {
                cur_end += x->run;
                continue;
            }
            if (open) total += (cur_end - cur_start + burst - 1) / burst * burst;
            cur_start = a;
            cur_end = a + x->run;
            open = 1;
        }
    if (open) total += (cur_end - cur_start + burst - 1) / burst * burst;
    return total;
}

int dma_issue(dma_t *d, dma_desc_t *x, uint64_t now)
{
    if (x->n2 == 0 || x->n1 == 0 || x->run == 0) {
        x->bytes = 0;
    } else {
        const uint64_t last_dram = x->dram_addr + (x->n2 - 1) * x->dram_s2 +
                                   (x->n1 - 1) * x->dram_s1 + x->run;
        const uint64_t last_glb = (x->n2 - 1) * x->glb_s2 + (x->n1 - 1) * x->glb_s1 + x->run;
        if (last_dram > d->dram_size || last_glb > x->glb_room) return PECOS_ESIM;
        x->bytes = x->n2 * x->n1 * x->run;
    }
    if (d->len == d->cap) {
        dma_desc_t *nq = malloc(sizeof(dma_desc_t) * d->cap * 2);
        if (!nq) return PECOS_ENOMEM;
        for (uint64_t i = 0; i < d->len; i++) nq[i] = d->q[(d->head + i) % d->cap];
        free(d->q);
        d->q = nq;
        d->head = 0;
        d->cap *= 2;
    }
    const uint64_t bus = x->bytes ? bus_bytes(x, d->dt.burst) : 0;
    double start = (double)(now + d->dt.latency);
    if (d->chan > start) start = d->chan;
    if (d->dt.bw > 0) start += (double)bus / d->dt.bw;
    d->chan = start;
    x->id = d->next_id++;
    x->issued = now;
    x->done = (uint64_t)ceil(start);
    d->bus_bytes += bus;
    d->descs++;
    if (x->to_dram)
        d->wr_bytes += x->bytes;
    else
        d->rd_bytes += x->bytes;
    d->q[(d->head + d->len++) % d->cap] = *x;
    if (d->trace) {
        char dram[40], glb[80];
        snprintf(dram, sizeof dram, "dram:0x%08llx", (unsigned long long)x->dram_addr);
        snprintf(glb, sizeof glb, "%s+0x%llx", x->glb_name, (unsigned long long)x->glb_off);
        fprintf(d->trace, "%llu %llu %llu %s %s %s %s %llux%llux%llu\n",
                (unsigned long long)x->issued, (unsigned long long)x->done,
                (unsigned long long)x->bytes, x->to_dram ? glb : dram, x->to_dram ? dram : glb,
                d->layer, x->what, (unsigned long long)x->n2, (unsigned long long)x->n1,
                (unsigned long long)x->run);
    }
    return 0;
}

/* Copies one run of x between DRAM image address a and the GLB at gp; 0 or the port's
 * failure. */
static int copy_run(dma_t *d, const dma_desc_t *x, uint64_t a, uint8_t *gp)
{
    if (d->port)
        return x->to_dram ? d->port->write(d->port->ctx, x->kind, a, gp, x->run)
                          : d->port->read(d->port->ctx, x->kind, a, gp, x->run);
    if (x->to_dram)
        memcpy(d->dram + a, gp, x->run);
    else
        memcpy(gp, d->dram + a, x->run);
    return 0;
}

void dma_poll(dma_t *d, uint64_t now, void (*done_cb)(void *ctx, const dma_desc_t *desc),
              void *ctx)
{
    while (!d->failed && d->len && d->q[d->head].done <= now) {
        const dma_desc_t *x = &d->q[d->head];
        for (uint64_t b = 0; b < x->n2; b++)
            for (uint64_t r = 0; r < x->n1; r++) {
                const uint64_t a = x->dram_addr + b * x->dram_s2 + r * x->dram_s1;
                uint8_t *gp = x->glb + b * x->glb_s2 + r * x->glb_s1;
                if (copy_run(d, x, a, gp) != 0) {
                    d->failed = 1;
                    d->failed_addr = a;
                    return;
                }
            }
        const dma_desc_t done = *x;
        d->head = (d->head + 1) % d->cap;
        d->len--;
        done_cb(ctx, &done);
    }
}
