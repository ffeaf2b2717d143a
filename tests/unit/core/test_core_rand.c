/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for src/core/core_rand.c: a serial is 0x40, the time in milliseconds, then 9 octets
 * from a per-thread block of DRBG output; no two serials share their random part, across
 * threads or across fork(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/asn1.h>

#include "core/core_rand.h"

#define SERIAL_LEN 16
#define RANDOM_OFF 7 /* octets 7..15 are random */
#define RANDOM_LEN (SERIAL_LEN - RANDOM_OFF)
#define BLOCK 28 /* serials per DRBG block (core_rand.c) */

static uint64_t now_ms(void)
{
    struct timespec ts;

    assert_int_equal(clock_gettime(CLOCK_REALTIME, &ts), 0);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t ms_of(const unsigned char b[SERIAL_LEN])
{
    uint64_t ms = 0;

    for (int i = 1; i <= 6; i++)
        ms = ms << 8 | b[i];
    return ms;
}

static int cmp_serial(const void *a, const void *b)
{
    return memcmp(a, b, SERIAL_LEN);
}

static int cmp_random(const void *a, const void *b)
{
    return memcmp(a, b, RANDOM_LEN);
}

/* Sorts @p n records of @p size octets and asserts no two are equal. */
static void assert_all_distinct(unsigned char *v, size_t n, size_t size,
                                int (*cmp)(const void *, const void *))
{
    qsort(v, n, size, cmp);
    for (size_t i = 1; i < n; i++)
        assert_int_not_equal(cmp(v + (i - 1) * size, v + i * size), 0);
}

/* The random part of each serial, side by side, for the distinctness checks. */
static void random_parts(const unsigned char *serials, size_t n, unsigned char *out)
{
    for (size_t i = 0; i < n; i++)
        memcpy(out + i * RANDOM_LEN, serials + i * SERIAL_LEN + RANDOM_OFF, RANDOM_LEN);
}

/* 0x40, then the clock in ms read during the call (the window is taken around it, across
 * several block refills so both the refill and the in-block path are covered). */
static void test_random_serial_bytes__layout_and_clock(void **state)
{
    unsigned char b[SERIAL_LEN + 1];

    (void)state;
    for (int i = 0; i < 3 * BLOCK; i++) {
        uint64_t before, after, ms;

        b[SERIAL_LEN] = 0xA5; /* writes nothing past 16 octets */
        before = now_ms();
        assert_int_equal(cmci_random_serial_bytes(b), CMC_OK);
        after = now_ms();
        assert_int_equal(b[SERIAL_LEN], 0xA5);
        assert_int_equal(b[0], 0x40);
        ms = ms_of(b);
        assert_in_range(ms, before, after);
    }
}

/* 10000 serials from one thread (357 blocks): all distinct, and so are their random parts,
 * so the uniqueness does not come from the clock alone. A block handed out twice, or a
 * used slot read after it was wiped, repeats a random part. Every one of the 9 octets must
 * also take all 256 values: an octet left unwritten (fewer random octets than 9) or a
 * biased one shows here, where distinctness alone would still hold. For uniform octets the
 * chance that one of 256 values is missing from 10000 draws is about 256 * e^-39. */
#define N_ONE 10000
static void test_random_serial_bytes__distinct_in_one_thread(void **state)
{
    unsigned char *s = malloc((size_t)N_ONE * SERIAL_LEN);
    unsigned char *r = malloc((size_t)N_ONE * RANDOM_LEN);
    static const unsigned char zero[RANDOM_LEN];

    (void)state;
    assert_non_null(s);
    assert_non_null(r);
    for (size_t i = 0; i < N_ONE; i++)
        assert_int_equal(cmci_random_serial_bytes(s + i * SERIAL_LEN), CMC_OK);
    random_parts(s, N_ONE, r);
    for (size_t i = 0; i < N_ONE; i++)
        assert_memory_not_equal(r + i * RANDOM_LEN, zero, RANDOM_LEN);
    for (size_t pos = 0; pos < RANDOM_LEN; pos++) {
        unsigned char seen[256] = {0};
        size_t values = 0;

        for (size_t i = 0; i < N_ONE; i++)
            seen[r[i * RANDOM_LEN + pos]] = 1;
        for (size_t v = 0; v < 256; v++)
            values += seen[v];
        assert_int_equal(values, 256);
    }
    assert_all_distinct(s, N_ONE, SERIAL_LEN, cmp_serial);
    assert_all_distinct(r, N_ONE, RANDOM_LEN, cmp_random);
    free(r);
    free(s);
}

/* Threads draw at the same time, each from its own block: a block shared between threads
 * without a lock would hand the same octets to two of them. */
#define N_THREADS 4
#define N_PER_THREAD 2500
struct drawer {
    pthread_barrier_t *start;
    unsigned char *out;
    int failures;
};

static void *drawer_main(void *arg)
{
    struct drawer *d = arg;

    (void)pthread_barrier_wait(d->start);
    for (size_t i = 0; i < N_PER_THREAD; i++)
        if (cmci_random_serial_bytes(d->out + i * SERIAL_LEN) != CMC_OK)
            d->failures++;
    return NULL;
}

static void test_random_serial_bytes__distinct_across_threads(void **state)
{
    const size_t n = (size_t)N_THREADS * N_PER_THREAD;
    unsigned char *s = malloc(n * SERIAL_LEN);
    unsigned char *r = malloc(n * RANDOM_LEN);
    pthread_barrier_t start;
    pthread_t t[N_THREADS];
    struct drawer d[N_THREADS];

    (void)state;
    assert_non_null(s);
    assert_non_null(r);
    assert_int_equal(pthread_barrier_init(&start, NULL, N_THREADS), 0);
    for (int i = 0; i < N_THREADS; i++) {
        d[i].start = &start;
        d[i].out = s + (size_t)i * N_PER_THREAD * SERIAL_LEN;
        d[i].failures = 0;
        assert_int_equal(pthread_create(&t[i], NULL, drawer_main, &d[i]), 0);
    }
    for (int i = 0; i < N_THREADS; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(d[i].failures, 0);
    }
    assert_int_equal(pthread_barrier_destroy(&start), 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(s[i * SERIAL_LEN], 0x40);
    random_parts(s, n, r);
    assert_all_distinct(s, n, SERIAL_LEN, cmp_serial);
    assert_all_distinct(r, n, RANDOM_LEN, cmp_random);
    free(r);
    free(s);
}

/*
 * After fork() the child must not hand out what the parent hands out next. Without the
 * atfork handler the child's copy of the block is the parent's, and both would draw the
 * same 27 random parts. The block must be partly used at fork time for this to show, so
 * the test runs in a new thread (its block starts empty), draws one serial there (27
 * left), and forks from it. Results go back to the main thread, which asserts.
 */
struct fork_result {
    int ok;          /* every step before the comparison worked */
    int child_exit;  /* the child's exit status, 0 when all its draws worked */
    unsigned char parent[BLOCK - 1][RANDOM_LEN];
    unsigned char child[BLOCK - 1][RANDOM_LEN];
};

static int read_all(int fd, unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t got = read(fd, p, n);

        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return 0;
        p += got;
        n -= (size_t)got;
    }
    return 1;
}

static void *fork_main(void *arg)
{
    struct fork_result *res = arg;
    unsigned char b[SERIAL_LEN];
    int fds[2], status = 0;
    pid_t pid;

    res->ok = 0;
    if (cmci_random_serial_bytes(b) != CMC_OK || pipe(fds) != 0)
        return NULL;
    pid = fork();
    if (pid < 0)
        return NULL;
    if (pid == 0) {
        /* the child: no cmocka here, only the bytes through the pipe and an exit code */
        unsigned char out[BLOCK - 1][RANDOM_LEN];
        int rc = 0;

        close(fds[0]);
        for (int i = 0; i < BLOCK - 1; i++) {
            if (cmci_random_serial_bytes(b) != CMC_OK)
                rc = 1;
            memcpy(out[i], b + RANDOM_OFF, RANDOM_LEN);
        }
        if (write(fds[1], out, sizeof(out)) != (ssize_t)sizeof(out))
            rc = 2;
        _exit(rc);
    }
    close(fds[1]);
    for (int i = 0; i < BLOCK - 1; i++) {
        if (cmci_random_serial_bytes(b) != CMC_OK)
            goto out;
        memcpy(res->parent[i], b + RANDOM_OFF, RANDOM_LEN);
    }
    if (!read_all(fds[0], &res->child[0][0], sizeof(res->child)))
        goto out;
    res->ok = 1;
out:
    close(fds[0]);
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        res->ok = 0;
    res->child_exit = WEXITSTATUS(status);
    return NULL;
}

static void test_random_serial_bytes__fork_child_does_not_repeat_parent(void **state)
{
    struct fork_result *res = calloc(1, sizeof(*res));
    pthread_t t;

    (void)state;
    assert_non_null(res);
    assert_int_equal(pthread_create(&t, NULL, fork_main, res), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_true(res->ok);
    assert_int_equal(res->child_exit, 0);
    /* the next serial of each first, then every pair */
    assert_memory_not_equal(res->parent[0], res->child[0], RANDOM_LEN);
    for (int i = 0; i < BLOCK - 1; i++)
        for (int j = 0; j < BLOCK - 1; j++)
            assert_memory_not_equal(res->parent[i], res->child[j], RANDOM_LEN);
    free(res);
}

/* The ASN1_INTEGER form: positive, 16 content octets (0x40 needs no 00 pad), the same
 * layout as the bytes. */
static void test_random_serial__positive_16_octets(void **state)
{
    ASN1_INTEGER *a = ASN1_INTEGER_new(), *b = ASN1_INTEGER_new();
    unsigned char *der = NULL;
    uint64_t before, after;
    int len;

    (void)state;
    assert_non_null(a);
    assert_non_null(b);
    before = now_ms();
    assert_int_equal(cmci_random_serial(a), CMC_OK);
    after = now_ms();
    assert_int_equal(ASN1_STRING_type(a), V_ASN1_INTEGER); /* not V_ASN1_NEG_INTEGER */
    assert_int_equal(ASN1_STRING_length(a), SERIAL_LEN);
    assert_int_equal(ASN1_STRING_get0_data(a)[0], 0x40);
    assert_in_range(ms_of(ASN1_STRING_get0_data(a)), before, after);
    /* DER: 02 10 40 ..., no padding octet */
    len = i2d_ASN1_INTEGER(a, &der);
    assert_int_equal(len, 2 + SERIAL_LEN);
    assert_int_equal(der[0], 0x02);
    assert_int_equal(der[1], SERIAL_LEN);
    assert_int_equal(der[2], 0x40);
    OPENSSL_free(der);
    assert_int_equal(cmci_random_serial(b), CMC_OK);
    assert_int_not_equal(ASN1_INTEGER_cmp(a, b), 0);
    assert_memory_not_equal(ASN1_STRING_get0_data(a) + RANDOM_OFF,
                            ASN1_STRING_get0_data(b) + RANDOM_OFF, RANDOM_LEN);
    ASN1_INTEGER_free(a);
    ASN1_INTEGER_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_serial_bytes__layout_and_clock),
        cmocka_unit_test(test_random_serial_bytes__distinct_in_one_thread),
        cmocka_unit_test(test_random_serial_bytes__distinct_across_threads),
        cmocka_unit_test(test_random_serial_bytes__fork_child_does_not_repeat_parent),
        cmocka_unit_test(test_random_serial__positive_16_octets),
    };
    return cmocka_run_group_tests_name("core_rand", tests, NULL, NULL);
}
