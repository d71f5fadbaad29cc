/* expect.h - the one assertion the model tests share: compare, count, report, go on. */
#ifndef PECOS_TEST_EXPECT_H
#define PECOS_TEST_EXPECT_H

#include <stdio.h>

static int checks, failed;

static void expect(const char *what, unsigned long long got, unsigned long long want)
{
    checks++;
    if (got != want) {
        failed++;
        printf("FAIL: %s: got %llu, expected %llu\n", what, got, want);
    }
}

#endif
