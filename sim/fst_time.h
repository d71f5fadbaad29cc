/* fst_time.h - the time axis of every waveform pecos writes (the shims' FST dumps and the
 * GTKWave save files of host/report/wave_view.c): 100 ps ticks, ten a cycle, so that one
 * cycle reads as 1 ns in a viewer. Cycle N is [10N, 10N+10): the clock is low from 10N and
 * rises at 10N+5. Plain C, for the C host and the C++ shims. */
#ifndef PECOS_FST_TIME_H
#define PECOS_FST_TIME_H

#define FST_TICKS_PER_CYCLE 10
#define FST_RESOLUTION "100ps"
/* The tick of cycle N's rising edge, and of the cycle's start. */
#define FST_RISE(n) ((n) * FST_TICKS_PER_CYCLE + FST_TICKS_PER_CYCLE / 2)
#define FST_START(n) ((n) * FST_TICKS_PER_CYCLE)
/* GTKWave keeps times in the timescale's unit (ps for 100ps ticks): a save file's times
 * (markers, [timestart]) are ticks x FST_PS_PER_TICK. */
#define FST_PS_PER_TICK 100

#endif
