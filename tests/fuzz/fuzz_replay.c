/* SPDX-License-Identifier: Apache-2.0 */
/* Corpus replay driver: runs LLVMFuzzerTestOneInput over every file of a directory, so the
 * seed corpora run under ctest (label fuzz) in ordinary builds, with or without sanitizers. */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* libFuzzer's default -max_len is far below this; larger files are a corpus mistake. */
#define REPLAY_MAX_INPUT (1024 * 1024)

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    size_t n;

    if (f == NULL) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return 0;
    }
    buf = malloc(REPLAY_MAX_INPUT);
    if (buf == NULL) {
        fclose(f);
        return 0;
    }
    n = fread(buf, 1, REPLAY_MAX_INPUT, f);
    fclose(f);
    /* copy to an exact-size buffer so ASan sees reads past the end of the input */
    uint8_t *exact = malloc(n > 0 ? n : 1);
    if (exact == NULL) {
        free(buf);
        return 0;
    }
    memcpy(exact, buf, n);
    free(buf);
    (void)LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    return 1;
}

int main(int argc, char **argv)
{
    DIR *d;
    struct dirent *e;
    char path[4096];
    int count = 0, failed = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    d = opendir(argv[1]);
    if (d == NULL) {
        fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    while ((e = readdir(d)) != NULL) {
        struct stat st;

        if (e->d_name[0] == '.')
            continue;
        (void)snprintf(path, sizeof(path), "%s/%s", argv[1], e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (replay_file(path))
            count++;
        else
            failed++;
    }
    closedir(d);
    printf("replayed %d inputs from %s\n", count, argv[1]);
    /* an empty corpus is a configuration error, not a pass */
    return (failed == 0 && count > 0) ? 0 : 1;
}
