/* expect.h - the assertions the unit tests share: check, count, report, go on.
 *
 * checks / failed are the counters every test prints in its summary line and turns into its
 * exit status (failed ? 1 : 0). Every failure prints one "FAIL: ..." line on stdout.
 */
#ifndef PECOS_TEST_EXPECT_H
#define PECOS_TEST_EXPECT_H

#include <limits.h>
#include <stdio.h>

static int checks, failed;

/* The FAIL lines a test prints (later failures are only counted): a test whose failures
 * come by the thousand defines it lower before it includes this file. */
#ifndef EXPECT_MAX_FAIL_LINES
#define EXPECT_MAX_FAIL_LINES INT_MAX
#endif

/* CHECK(cond, fmt, ...): one check; on failure, "FAIL: " and the printf message. The
 * message's arguments are evaluated only when cond is false. */
#define CHECK(cond, ...)                                                                       \
    do {                                                                                       \
        checks++;                                                                              \
        if (!(cond) && failed++ < EXPECT_MAX_FAIL_LINES) {                                     \
            printf("FAIL: ");                                                                  \
            printf(__VA_ARGS__);                                                               \
            printf("\n");                                                                      \
        }                                                                                      \
    } while (0)

static inline void expect(const char *what, unsigned long long got, unsigned long long want)
{
    checks++;
    if (got != want) {
        failed++;
        printf("FAIL: %s: got %llu, expected %llu\n", what, got, want);
    }
}

/* expect() for signed values. */
static inline void expect_i(const char *what, long long got, long long want)
{
    checks++;
    if (got != want) {
        failed++;
        printf("FAIL: %s: got %lld, expected %lld\n", what, got, want);
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
