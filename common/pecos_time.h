/* pecos_time.h - the wall clock of every "seconds" field in pecos's reports. */
#ifndef PECOS_TIME_H
#define PECOS_TIME_H

/* Seconds on the monotonic clock (only differences mean anything). */
double pecos_now(void);

#endif
