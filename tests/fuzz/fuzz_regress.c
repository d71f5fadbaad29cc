/* fuzz_regress.c - libFuzzer target: a sweep spec of any bytes is accepted or rejected with a
 * non-empty one-line reason that names the file; an accepted spec has at least one job, every
 * job a unique id and a command line that starts with the pecos executable. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pecos_err.h"
#include "regress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void remove_spec(void)
{
    unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        snprintf(path, sizeof path, "/tmp/pecos_fuzz_regress_%ld.json", (long)getpid());
        atexit(remove_spec);
    }
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    fclose(f);
    regress_spec_t s;
    char err[REGRESS_ERR_MAX];
    err[0] = '\0';
    int rc = regress_spec_load(path, "/usr/bin/pecos", &s, err, sizeof err, NULL);
    if (rc != 0) {
        if (rc != PECOS_EIO && rc != PECOS_EFORMAT && rc != PECOS_EPARAM && rc != PECOS_ENOMEM) abort();
        if (strncmp(err, path, strlen(path)) != 0 || strchr(err, '\n')) abort();
        return 0;
    }
    if (s.njobs < 1) abort();
    for (int i = 0; i < s.njobs; i++) {
        if (strcmp(s.jobs[i].argv[0], "/usr/bin/pecos") != 0 || s.jobs[i].argv[s.jobs[i].argc] != NULL) abort();
        for (int j = 0; j < i && j < 64; j++)
            if (strcmp(s.jobs[i].id, s.jobs[j].id) == 0) abort();
        char line[4096];
        regress_job_cmdline(&s.jobs[i], line, sizeof line);
    }
    regress_spec_free(&s);
    return 0;
}
