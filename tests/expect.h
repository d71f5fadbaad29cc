/* expect.h - the assertions the unit tests share: check, count, report, go on. */
#ifndef PECOS_TEST_EXPECT_H
#define PECOS_TEST_EXPECT_H

#include <stdio.h>

static int checks, failed;

static inline void expect(const char *what, unsigned long long got, unsigned long long want)
{
    checks++;
    if (got != want) {
        failed++;
        printf("FAIL: %s: got %llu, expected %llu\n", what, got, want);
    }
}

static inline void ok(int cond, const char *what)
{
    checks++;
    if (!cond) {
        failed++;
        printf("FAIL: %s\n", what);
    }
}

#endif
