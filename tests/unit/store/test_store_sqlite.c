/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for src/store/store_sqlite.c: round trip, duplicates, durability across close,
 * file modes, bad paths, and group commit under 8 concurrent writers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <pthread.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <sqlite3.h>

#include "store/store_local.h"

#define N_THREADS 8
#define PUTS_PER_THREAD 500
#define DER_LEN 1000 /* about the size of a real end-entity certificate */

struct fixture {
    char dir[256];
    char db[300];
    char loc[320];
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));

    if (fx == NULL)
        return -1;
    /* Under the build tree rather than /tmp, which may be a tmpfs where fsync is free and
     * the throughput figure would mean nothing. */
    snprintf(fx->dir, sizeof(fx->dir), "%s/store-test-XXXXXX", CMC_BINARY_DIR);
    if (mkdtemp(fx->dir) == NULL) {
        free(fx);
        return -1;
    }
    snprintf(fx->db, sizeof(fx->db), "%s/cmcd.db", fx->dir);
    snprintf(fx->loc, sizeof(fx->loc), "sqlite:%s", fx->db);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    static const char *suffix[] = {"", "-wal", "-shm", "-journal"};
    char p[320];
    size_t i;

    for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
        snprintf(p, sizeof(p), "%s%s", fx->db, suffix[i]);
        (void)unlink(p);
    }
    (void)rmdir(fx->dir);
    free(fx);
    return 0;
}

/* A DER-sized blob whose bytes depend on the serial, so a mixed-up row is caught. */
static void fill_der(uint8_t *der, size_t len, unsigned seed)
{
    size_t i;

    for (i = 0; i < len; i++)
        der[i] = (uint8_t)(seed * 31u + i * 7u);
}

static struct cmc_cert_record make_rec(const char *serial, const uint8_t *der, size_t len)
{
    struct cmc_cert_record r = {
        .serial_hex = serial, .subject = "CN=test", .issuer = "CN=CA", .profile = "tls",
        .not_before = 1700000000, .not_after = 1800000000, .issued_at = 1700000000,
        .der = der, .der_len = len,
    };
    return r;
}

static void expect_der(struct cmc_store *st, const char *serial, const uint8_t *want,
                       size_t want_len)
{
    uint8_t *der = NULL;
    size_t len = 0;

    assert_int_equal(cmc_store_cert_get_der(st, serial, &der, &len), CMC_OK);
    assert_int_equal(len, want_len);
    assert_memory_equal(der, want, want_len);
    OPENSSL_free(der);
}

static void expect_count(struct cmc_store *st, uint64_t want)
{
    uint64_t n = UINT64_MAX;

    assert_int_equal(cmc_store_cert_count(st, &n), CMC_OK);
    assert_int_equal(n, want);
}

static void put_range(struct cmc_store *st, unsigned from, unsigned to)
{
    uint8_t der[DER_LEN];
    char serial[16];
    struct cmc_cert_record r;
    unsigned i;

    for (i = from; i < to; i++) {
        snprintf(serial, sizeof(serial), "%08X", i);
        fill_der(der, sizeof(der), i);
        r = make_rec(serial, der, sizeof(der));
        assert_int_equal(cmc_store_cert_put(st, &r), CMC_OK);
    }
}

static void expect_range(struct cmc_store *st, unsigned from, unsigned to)
{
    uint8_t der[DER_LEN];
    char serial[16];
    unsigned i;

    for (i = from; i < to; i++) {
        snprintf(serial, sizeof(serial), "%08X", i);
        fill_der(der, sizeof(der), i);
        expect_der(st, serial, der, sizeof(der));
    }
}

static void test_put_get_count__round_trip(void **state)
{
    struct fixture *fx = *state;
    struct cmc_store *st = NULL;
    uint8_t *der = (uint8_t *)1;
    size_t len = 7;

    assert_int_equal(cmc_store_open(&st, fx->loc), CMC_OK);
    expect_count(st, 0);
    put_range(st, 0, 3);
    expect_count(st, 3);
    expect_range(st, 0, 3);
    assert_int_equal(cmc_store_cert_get_der(st, "0BADC0DE", &der, &len), CMC_ERR_NOT_FOUND);
    assert_null(der);
    assert_int_equal(len, 0);
    assert_int_equal(cmci_store_sqlite_commit_count(st), 3);
    cmc_store_free(st);
}

static void test_put__duplicate_serial_changes_nothing(void **state)
{
    struct fixture *fx = *state;
    struct cmc_store *st = NULL;
    uint8_t other[DER_LEN];
    struct cmc_cert_record r;

    assert_int_equal(cmc_store_open(&st, fx->loc), CMC_OK);
    put_range(st, 0, 1);
    fill_der(other, sizeof(other), 12345);
    r = make_rec("00000000", other, sizeof(other));
    assert_int_equal(cmc_store_cert_put(st, &r), CMC_ERR_STORE_DUP);
    assert_int_equal(cmc_error_get_code(), CMC_ERR_STORE_DUP);
    assert_non_null(strstr(cmc_error_get0_message(), "00000000"));
    expect_count(st, 1);
    expect_range(st, 0, 1);
    cmc_store_free(st);
}

static void test_open__unusable_path_is_store_error(void **state)
{
    struct fixture *fx = *state;
    struct cmc_store *st = NULL;
    char loc[400];
    FILE *f;

    /* Permission bits do not stop root, so use paths no user can create. */
    snprintf(loc, sizeof(loc), "sqlite:%s/no-such-dir/x.db", fx->dir);
    assert_int_equal(cmc_store_open(&st, loc), CMC_ERR_STORE);
    assert_null(st);
    snprintf(loc, sizeof(loc), "sqlite:%s", fx->dir); /* a directory */
    assert_int_equal(cmc_store_open(&st, loc), CMC_ERR_STORE);

    f = fopen(fx->db, "w");
    assert_non_null(f);
    fputs("this is not a SQLite database, just some text long enough to look like one", f);
    fclose(f);
    snprintf(loc, sizeof(loc), "sqlite:%s/x.db", fx->db); /* below a regular file */
    assert_int_equal(cmc_store_open(&st, loc), CMC_ERR_STORE);
    assert_int_equal(cmc_store_open(&st, fx->loc), CMC_ERR_STORE); /* not a database */
    assert_null(st);
}

static void test_open__newer_schema_is_refused(void **state)
{
    struct fixture *fx = *state;
    struct cmc_store *st = NULL;
    sqlite3 *db = NULL;

    assert_int_equal(cmc_store_open(&st, fx->loc), CMC_OK);
    cmc_store_free(st);
    st = NULL;
    assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 3", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(cmc_store_open(&st, fx->loc), CMC_ERR_STORE);
    assert_null(st);
}

static int query_text(sqlite3 *db, const char *sql, char *out, size_t outsz)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);

    if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        snprintf(out, outsz, "%s", (const char *)sqlite3_column_text(s, 0));
        rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    return rc;
}

/* The file opened read-only, after checking it carries this build's schema version. */
static sqlite3 *open_current_schema(const struct fixture *fx)
{
    sqlite3 *db = NULL;
    char v[64];

    assert_int_equal(sqlite3_open_v2(fx->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(query_text(db, "PRAGMA user_version", v, sizeof(v)), SQLITE_OK);
    assert_string_equal(v, "2");
    return db;
}

static void test_open__schema_wal_and_defaults(void **state)
{
    struct fixture *fx = *state;
    struct cmc_store *st = NULL;
    sqlite3 *db = NULL;
    char v[64];

    assert_int_equal(cmc_store_open(&st, fx->loc), CMC_OK);
    put_range(st, 7, 8);
    cmc_store_free(st);

    db = open_current_schema(fx);
    assert_int_equal(query_text(db, "PRAGMA journal_mode", v, sizeof(v)), SQLITE_OK);
    assert_string_equal(v, "wal");
    /* one index: the serial's (version 1 also indexed the subject) */
    assert_int_equal(query_text(db, "SELECT count(*) || ' ' || group_concat(name) FROM "
                                    "sqlite_master WHERE type='index' AND tbl_name='certs'",
                                v, sizeof(v)),
                     SQLITE_OK);
    assert_string_equal(v, "1 sqlite_autoindex_certs_1");
    assert_int_equal(query_text(db, "SELECT status || '/' || profile || '/' || not_after || "
                                    "'/' || ifnull(revoked_at, 'null') FROM certs",
                                v, sizeof(v)),
                     SQLITE_OK);
    assert_string_equal(v, "valid/tls/1800000000/null");
    sqlite3_close(db);
}

/* A version 1 file (with the certs_subject index) is upgraded in place and keeps its rows. */
static void test_open__version_1_is_upgraded(void **state)
{
    struct fixture *fx = *state;
    struct cmc_store *st = NULL;
    sqlite3 *db = NULL;
    char v[64];

    assert_int_equal(cmc_store_open(&st, fx->loc), CMC_OK);
    put_range(st, 1, 5);
    cmc_store_free(st);
    st = NULL;
    assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE INDEX certs_subject ON certs(subject);"
                                      "PRAGMA user_version = 1",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);

    assert_int_equal(cmc_store_open(&st, fx->loc), CMC_OK);
    expect_count(st, 4);
    put_range(st, 5, 6);
    expect_range(st, 1, 6);
    cmc_store_free(st);

    db = open_current_schema(fx);
    assert_int_equal(query_text(db, "SELECT count(*) FROM sqlite_master WHERE name = "
                                    "'certs_subject'",
                                v, sizeof(v)),
                     SQLITE_OK);
    assert_string_equal(v, "0");
    assert_int_equal(query_text(db, "SELECT count(*) FROM certs", v, sizeof(v)), SQLITE_OK);
    assert_string_equal(v, "5");
    sqlite3_close(db);
}

static void test_open__files_are_mode_0600(void **state)
{
    struct fixture *fx = *state;
    struct cmc_store *st = NULL;
    static const char *suffix[] = {"", "-wal", "-shm"};
    char p[320];
    struct stat sb;
    mode_t old = umask(0); /* the mode must not depend on the caller's umask */
    size_t i;

    assert_int_equal(cmc_store_open(&st, fx->loc), CMC_OK);
    umask(old);
    put_range(st, 0, 1); /* the -wal and -shm files exist while the store is open */
    for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
        snprintf(p, sizeof(p), "%s%s", fx->db, suffix[i]);
        assert_int_equal(stat(p, &sb), 0);
        assert_int_equal(sb.st_mode & 0777, 0600);
    }
    cmc_store_free(st);
}

static void test_close__reopen_sees_every_record(void **state)
{
    struct fixture *fx = *state;
    struct cmc_store *st = NULL;

    assert_int_equal(cmc_store_open(&st, fx->loc), CMC_OK);
    put_range(st, 0, 100);
    cmc_store_free(st);
    st = NULL;
    assert_int_equal(cmc_store_open(&st, fx->loc), CMC_OK);
    expect_count(st, 100);
    expect_range(st, 0, 100);
    put_range(st, 100, 110); /* and it is still writable */
    cmc_store_free(st);
    st = NULL;
    assert_int_equal(cmc_store_open(&st, fx->loc), CMC_OK);
    expect_count(st, 110);
    cmc_store_free(st);
}

struct worker {
    struct cmc_store *st;
    unsigned first, n;
    unsigned ok, dup, other;
};

static void *put_worker(void *arg)
{
    struct worker *w = arg;
    uint8_t der[DER_LEN];
    char serial[16];
    struct cmc_cert_record r;
    unsigned i;
    cmc_err rv;

    for (i = w->first; i < w->first + w->n; i++) {
        snprintf(serial, sizeof(serial), "%08X", i);
        fill_der(der, sizeof(der), i);
        r = make_rec(serial, der, sizeof(der));
        rv = cmc_store_cert_put(w->st, &r);
        if (rv == CMC_OK)
            w->ok++;
        else if (rv == CMC_ERR_STORE_DUP)
            w->dup++;
        else
            w->other++;
    }
    return NULL;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs N_THREADS workers; @p overlap makes them all put the same serials. */
static void run_workers(struct cmc_store *st, struct worker *w, int overlap)
{
    pthread_t t[N_THREADS];
    int i;

    for (i = 0; i < N_THREADS; i++) {
        w[i] = (struct worker){.st = st,
                               .first = overlap ? 0 : (unsigned)i * PUTS_PER_THREAD,
                               .n = PUTS_PER_THREAD};
        assert_int_equal(pthread_create(&t[i], NULL, put_worker, &w[i]), 0);
    }
    for (i = 0; i < N_THREADS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
}

static void test_put__concurrent_writers_group_commit(void **state)
{
    struct fixture *fx = *state;
    struct cmc_store *st = NULL;
    struct worker w[N_THREADS];
    const unsigned total = N_THREADS * PUTS_PER_THREAD;
    uint64_t commits;
    double t0, secs;
    int i;

    assert_int_equal(cmc_store_open(&st, fx->loc), CMC_OK);
    t0 = now_s();
    run_workers(st, w, 0);
    secs = now_s() - t0;
    for (i = 0; i < N_THREADS; i++) {
        assert_int_equal(w[i].ok, PUTS_PER_THREAD);
        assert_int_equal(w[i].other + w[i].dup, 0);
    }
    commits = cmci_store_sqlite_commit_count(st);
    print_message("%u puts by %d threads in %.3f s: %.0f puts/s, %llu commits "
                  "(%.1f records per commit), synchronous=FULL\n",
                  total, N_THREADS, secs, total / secs, (unsigned long long)commits,
                  (double)total / (double)commits);
    assert_true(commits > 0);
    assert_true(commits < total);
    expect_count(st, total);
    expect_range(st, 0, total);
    cmc_store_free(st);
}

/* The collect step (store_sqlite.c) waits for as many callers as the last batch had. After
 * a concurrent burst, a lone caller's puts must each commit on their own, and the writer
 * may wait for company at most once: the batch of one resets what it waits for. */
static void test_put__lone_caller_after_burst_is_not_held(void **state)
{
    struct fixture *fx = *state;
    struct cmc_store *st = NULL;
    struct worker w[N_THREADS];
    const unsigned total = N_THREADS * PUTS_PER_THREAD, lone = 20;
    uint64_t commits, collects;

    assert_int_equal(cmc_store_open(&st, fx->loc), CMC_OK);
    assert_int_equal(cmci_store_sqlite_collect_count(st), 0);
    run_workers(st, w, 0);
    for (int i = 0; i < N_THREADS; i++)
        assert_int_equal(w[i].ok, PUTS_PER_THREAD);
    /* the burst shared commits, so the writer did wait for company */
    assert_true(cmci_store_sqlite_collect_count(st) > 0);
    commits = cmci_store_sqlite_commit_count(st);
    collects = cmci_store_sqlite_collect_count(st);
    put_range(st, total, total + lone);
    assert_int_equal(cmci_store_sqlite_commit_count(st) - commits, lone);
    assert_in_range(cmci_store_sqlite_collect_count(st) - collects, 0, 1);
    expect_count(st, total + lone);
    expect_range(st, 0, total + lone);
    cmc_store_free(st);
}

/* Duplicates inside a batch fail alone: each serial is stored exactly once and every
 * other attempt at it reports CMC_ERR_STORE_DUP. */
static void test_put__concurrent_duplicates_fail_alone(void **state)
{
    struct fixture *fx = *state;
    struct cmc_store *st = NULL;
    struct worker w[N_THREADS];
    unsigned ok = 0, dup = 0;
    int i;

    assert_int_equal(cmc_store_open(&st, fx->loc), CMC_OK);
    run_workers(st, w, 1);
    for (i = 0; i < N_THREADS; i++) {
        ok += w[i].ok;
        dup += w[i].dup;
        assert_int_equal(w[i].other, 0);
    }
    assert_int_equal(ok, PUTS_PER_THREAD);
    assert_int_equal(dup, (N_THREADS - 1) * PUTS_PER_THREAD);
    expect_count(st, PUTS_PER_THREAD);
    expect_range(st, 0, PUTS_PER_THREAD);
    cmc_store_free(st);
}

/*
 * A VFS that is the default unix VFS except that xSync fails while fail_sync is set. The
 * real xOpen fills in the file; we only swap its method table for a copy with our xSync,
 * so every other method runs the real code on the real file. The unix VFS uses different
 * tables for the database and for its journal/WAL, hence one copy per real table.
 */
static sqlite3_vfs failsync_vfs;
static struct {
    const sqlite3_io_methods *real;
    sqlite3_io_methods copy;
} io_map[4];
static int fail_sync;

static int failsync_sync(sqlite3_file *f, int flags)
{
    size_t i;

    if (fail_sync)
        return SQLITE_IOERR_FSYNC;
    for (i = 0; i < sizeof(io_map) / sizeof(io_map[0]); i++) {
        if (f->pMethods == &io_map[i].copy)
            return io_map[i].real->xSync(f, flags);
    }
    return SQLITE_INTERNAL;
}

static int failsync_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags,
                         int *out_flags)
{
    int rc = sqlite3_vfs_find("unix")->xOpen(vfs, name, f, flags, out_flags);
    size_t i;

    if (rc != SQLITE_OK || f->pMethods == NULL)
        return rc;
    for (i = 0; i < sizeof(io_map) / sizeof(io_map[0]); i++) {
        if (io_map[i].real == NULL) {
            io_map[i].real = f->pMethods;
            io_map[i].copy = *f->pMethods;
            io_map[i].copy.xSync = failsync_sync;
        }
        if (io_map[i].real == f->pMethods) {
            f->pMethods = &io_map[i].copy;
            return rc;
        }
    }
    return rc; /* more tables than expected: leave this file unwrapped */
}

static void test_put__failed_commit_fails_and_stores_nothing(void **state)
{
    struct fixture *fx = *state;
    struct cmc_store *st = NULL;
    struct worker w[N_THREADS];
    uint8_t der[DER_LEN];
    struct cmc_cert_record r;
    uint64_t commits;
    int i;

    failsync_vfs = *sqlite3_vfs_find("unix");
    failsync_vfs.zName = "failsync";
    failsync_vfs.xOpen = failsync_open;
    assert_int_equal(sqlite3_vfs_register(&failsync_vfs, 1), SQLITE_OK);

    /* Seed serials above the workers' range: a batch holding only duplicates writes
     * nothing, needs no fsync, and rightly reports CMC_ERR_STORE_DUP. */
    assert_int_equal(cmc_store_open(&st, fx->loc), CMC_OK);
    put_range(st, 100000, 100002);
    fill_der(der, sizeof(der), 100002);
    r = make_rec("000186A2", der, sizeof(der)); /* 100002 */
    fail_sync = 1;
    assert_int_equal(cmc_store_cert_put(st, &r), CMC_ERR_STORE);
    fail_sync = 0;
    assert_non_null(strstr(cmc_error_get0_message(), "commit"));
    expect_count(st, 2);

    /* Whole batches fail the same way: nothing committed, nothing counted. */
    commits = cmci_store_sqlite_commit_count(st);
    fail_sync = 1;
    run_workers(st, w, 0);
    fail_sync = 0;
    for (i = 0; i < N_THREADS; i++)
        assert_int_equal(w[i].other, PUTS_PER_THREAD);
    assert_int_equal(cmci_store_sqlite_commit_count(st), commits);
    expect_count(st, 2);

    /* The store recovers: the same record commits once the disk behaves again. */
    assert_int_equal(cmc_store_cert_put(st, &r), CMC_OK);
    expect_count(st, 3);
    expect_range(st, 100000, 100003);
    cmc_store_free(st);
    assert_int_equal(sqlite3_vfs_unregister(&failsync_vfs), SQLITE_OK);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_put_get_count__round_trip),
        T(test_put__duplicate_serial_changes_nothing),
        T(test_open__unusable_path_is_store_error),
        T(test_open__newer_schema_is_refused),
        T(test_open__schema_wal_and_defaults),
        T(test_open__version_1_is_upgraded),
        T(test_open__files_are_mode_0600),
        T(test_close__reopen_sees_every_record),
        T(test_put__concurrent_writers_group_commit),
        T(test_put__concurrent_duplicates_fail_alone),
        T(test_put__lone_caller_after_burst_is_not_held),
        T(test_put__failed_commit_fails_and_stores_nothing),
    };
#undef T
    return cmocka_run_group_tests_name("store_sqlite", tests, NULL, NULL);
}
