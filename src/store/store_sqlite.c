/* SPDX-License-Identifier: Apache-2.0 */
/* The SQLite store backend: one WAL database file, a writer thread that group-commits
 * concurrent cert_put calls, and a mutex-protected read connection. */
#include "store/store_local.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <sqlite3.h>

#include "core/core_error.h"

/*
 * Why a writer thread. cert_put must not return before its record is fsync'd, and one
 * fsync costs milliseconds. With one transaction per put, throughput is one fsync per
 * certificate however many threads issue. Instead every cert_put queues a request and
 * sleeps; the writer takes everything queued, inserts it in one transaction and pays one
 * fsync for the lot, then wakes each caller with its own result. Under load a batch holds
 * about as many records as there are issuing threads; with one caller it degrades to one
 * commit per put, exactly as durable.
 *
 * Why a futex per request rather than a condition variable. The writer used to signal each
 * caller's condition variable under the queue mutex; every woken caller then blocked again
 * on that mutex, and every caller that unlocked it woke the next: three to four futex calls
 * and an extra context switch per certificate (perf: about a tenth of cmcd's CPU under
 * load). Now the writer wakes each caller after it let go of the mutex, and a caller that
 * wakes owns nothing it must wait for again. The wake may reach an address whose caller
 * already returned (it saw done != 0 before sleeping); a futex wake on such an address
 * wakes nobody or a waiter that re-checks its own word, so it is harmless.
 */
#define COLLECT_US 1000L    /* longest wait for a batch to fill (collect()) */
#define BATCH_MAX 256        /* records per transaction: bounds a transaction's size */
#define QUEUE_MAX 1024       /* queued records: callers wait for room beyond this */
#define BUSY_TIMEOUT_MS 5000 /* another process (an operator's sqlite3 shell) may hold a lock */
#define WRITER_CACHE_KIB "512" /* the writer connection's page cache (cache_size) */
#define SCHEMA_VERSION "2"   /* PRAGMA user_version of the schema below */

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS certs ("
    " serial_hex TEXT PRIMARY KEY,"
    " subject TEXT,"
    " issuer TEXT,"
    " profile TEXT,"
    " not_before INTEGER,"
    " not_after INTEGER,"
    " issued_at INTEGER,"
    " der BLOB NOT NULL,"
    " status TEXT NOT NULL DEFAULT 'valid',"
    " revoked_at INTEGER,"
    " revocation_reason INTEGER);";
/* Version 1 also had certs_subject ON certs(subject). No query used it, and a subject is
 * a random key: every certificate put one random index page into the commit, half of the
 * WAL pages a group commit wrote (docs/internals/store.md). */
static const char upgrade_1_sql[] = "DROP INDEX IF EXISTS certs_subject;";

static const char insert_sql[] =
    "INSERT INTO certs (serial_hex, subject, issuer, profile, not_before, not_after,"
    " issued_at, der) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char get_sql[] = "SELECT der FROM certs WHERE serial_hex = ?1";
static const char count_sql[] = "SELECT count(*) FROM certs";

/* One waiting cert_put. Lives on the caller's stack: the caller blocks until done. */
struct put_req {
    const struct cmc_cert_record *rec; /* borrowed, not copied, for the same reason */
    cmc_err rv;
    /* The error record is thread-local, so the writer leaves the reason here and the
     * caller records it on its own thread. */
    char why[200];
    /* 0 until the writer has filled rv/why; the futex word the caller sleeps on. */
    uint32_t done;
    struct put_req *next;
};

struct sq_store {
    /* Owned by the writer thread once it runs. */
    sqlite3 *wdb;
    sqlite3_stmt *ins;

    /* The queue; everything below is guarded by mu. */
    pthread_mutex_t mu;
    pthread_cond_t work; /* writer waits: a request queued, or stopping */
    pthread_cond_t room; /* callers wait: queued < QUEUE_MAX */
    struct put_req *head, *tail;
    size_t queued;
    int stopping;
    int writer_idle; /* the writer waits on work */
    size_t want;       /* while collecting: the batch size the writer waits for, else 0 */
    size_t last_batch; /* size of the last batch taken */
    uint64_t commits; /* atomic, not under mu */
    uint64_t collects; /* times collect() waited; atomic (a test hook reads it) */

    pthread_t writer;
    int writer_running;
    int sync_ok;

    /* Reads share one connection; rmu serialises them. */
    pthread_mutex_t rmu;
    sqlite3 *rdb;
    sqlite3_stmt *get, *count;
};

/* Evaluated where the failure happened, before anything can overwrite sqlite3_errmsg. */
#define DB_FAIL(db, what) cmci_fail(CMC_ERR_STORE, "sqlite %s: %s", (what), sqlite3_errmsg(db))

static void sq_close(void *state);

static CMC_WUR cmc_err exec(sqlite3 *db, const char *sql)
{
    CMC_ENSURE(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK, CMC_ERR_STORE,
               "sqlite '%.40s': %s", sql, sqlite3_errmsg(db));
    return CMC_OK;
}

static CMC_WUR cmc_err prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
    CMC_ENSURE(sqlite3_prepare_v2(db, sql, -1, st, NULL) == SQLITE_OK, CMC_ERR_STORE,
               "sqlite prepare '%.40s': %s", sql, sqlite3_errmsg(db));
    return CMC_OK;
}

/* Runs a one-row pragma and returns its first column as text in @p out. */
static CMC_WUR cmc_err pragma_text(sqlite3 *db, const char *sql, char *out, size_t outsz)
{
    sqlite3_stmt *st = NULL;
    const unsigned char *txt;
    cmc_err rv;

    CMC_GUARD(prepare(db, sql, &st));
    if (sqlite3_step(st) != SQLITE_ROW) {
        rv = DB_FAIL(db, sql);
        goto err;
    }
    txt = sqlite3_column_text(st, 0);
    snprintf(out, outsz, "%s", txt != NULL ? (const char *)txt : "");
    rv = CMC_OK;
err:
    sqlite3_finalize(st);
    return rv;
}

/*
 * Creates the database file 0600 ourselves before SQLite sees it: SQLite would create it
 * 0644 less the umask. SQLite then gives the -wal and -shm files the database file's
 * mode. open() applies the umask, which only removes bits, so fchmod sets exactly 0600.
 * An existing file keeps the mode its operator gave it.
 */
static CMC_WUR cmc_err create_private(const char *path)
{
    char *dir = NULL;
    int fd = -1, dfd = -1;
    cmc_err rv;

    fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        CMC_ENSURE(errno == EEXIST, CMC_ERR_STORE, "create %s: %s", path, strerror(errno));
        return CMC_OK;
    }
    if (fchmod(fd, 0600) != 0 || fsync(fd) != 0) {
        rv = cmci_fail(CMC_ERR_STORE, "chmod/fsync %s: %s", path, strerror(errno));
        goto err;
    }
    /* The new directory entry must be durable too, or a crash could lose the whole file
     * along with every record committed into it. */
    dir = OPENSSL_strdup(path);
    if (dir == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "path copy");
        goto err;
    }
    dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || fsync(dfd) != 0) {
        rv = cmci_fail(CMC_ERR_STORE, "fsync directory of %s: %s", path, strerror(errno));
        goto err;
    }
    rv = CMC_OK;
err:
    if (dfd >= 0)
        close(dfd);
    if (fd >= 0)
        close(fd);
    OPENSSL_free(dir);
    return rv;
}

/* Opens one connection with the settings every connection needs. */
static CMC_WUR cmc_err open_conn(const char *path, sqlite3 **db)
{
    char mode[16];

    /* Without CREATE: create_private made the file, so a vanished file is an error. */
    if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        return DB_FAIL(*db, "open"); /* *db is set even on failure; sq_close frees it */
    sqlite3_extended_result_codes(*db, 1);
    CMC_ENSURE(sqlite3_busy_timeout(*db, BUSY_TIMEOUT_MS) == SQLITE_OK, CMC_ERR_STORE,
               "busy_timeout");
    /* WAL: readers never block the writer and a commit appends to one file. The mode is
     * persistent, but we check it on every open because a failure here (say, the file is
     * not a database) shows up as the answer not being "wal". */
    CMC_GUARD(pragma_text(*db, "PRAGMA journal_mode=WAL", mode, sizeof(mode)));
    CMC_ENSURE(strcmp(mode, "wal") == 0, CMC_ERR_STORE, "journal_mode is %s, not wal", mode);
    /* FULL: in WAL mode, NORMAL does not fsync at commit, and a put must be durable. */
    return exec(*db, "PRAGMA synchronous=FULL");
}

/* Creates the schema if the file is new, upgrades version 1, refuses one from a newer
 * build. BEGIN IMMEDIATE makes two processes opening a new file at once take turns. */
static CMC_WUR cmc_err init_schema(sqlite3 *db)
{
    char ver[24];
    cmc_err rv;

    CMC_GUARD(exec(db, "BEGIN IMMEDIATE"));
    rv = pragma_text(db, "PRAGMA user_version", ver, sizeof(ver));
    if (rv == CMC_OK && (strcmp(ver, "0") == 0 || strcmp(ver, "1") == 0)) {
        rv = exec(db, strcmp(ver, "0") == 0 ? schema_sql : upgrade_1_sql);
        if (rv == CMC_OK)
            rv = exec(db, "PRAGMA user_version = " SCHEMA_VERSION);
    } else if (rv == CMC_OK && strcmp(ver, SCHEMA_VERSION) != 0) {
        rv = cmci_fail(CMC_ERR_STORE, "schema version %s, this build knows %s", ver,
                       SCHEMA_VERSION);
    }
    if (rv == CMC_OK)
        rv = exec(db, "COMMIT");
    if (rv != CMC_OK)
        (void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL); /* keep the first error */
    return rv;
}

static void set_result(struct put_req *r, cmc_err rv, const char *why)
{
    r->rv = rv;
    snprintf(r->why, sizeof(r->why), "%s", why);
}

static void fail_batch(struct put_req **b, size_t n, const char *what, sqlite3 *db)
{
    char why[sizeof(b[0]->why)];
    size_t i;

    snprintf(why, sizeof(why), "sqlite %s: %s (batch of %zu not stored)", what,
             sqlite3_errmsg(db), n);
    for (i = 0; i < n; i++)
        set_result(b[i], CMC_ERR_STORE, why);
}

static void insert_one(struct sq_store *ss, struct put_req *r)
{
    const struct cmc_cert_record *rec = r->rec;
    sqlite3_stmt *s = ss->ins;
    char why[sizeof(r->why)];
    int rc = SQLITE_OK;

    /* SQLITE_STATIC: the caller's record outlives the statement's use of it. */
    if (sqlite3_bind_text(s, 1, rec->serial_hex, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_text(s, 2, rec->subject, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_text(s, 3, rec->issuer, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_text(s, 4, rec->profile, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_int64(s, 5, rec->not_before) != SQLITE_OK ||
        sqlite3_bind_int64(s, 6, rec->not_after) != SQLITE_OK ||
        sqlite3_bind_int64(s, 7, rec->issued_at) != SQLITE_OK ||
        sqlite3_bind_blob64(s, 8, rec->der, rec->der_len, SQLITE_STATIC) != SQLITE_OK)
        rc = SQLITE_ERROR;
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        r->rv = CMC_OK;
    } else if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        /* Only this statement is undone; the rest of the batch stays in the transaction. */
        snprintf(why, sizeof(why), "serial %s already stored", rec->serial_hex);
        set_result(r, CMC_ERR_STORE_DUP, why);
    } else {
        snprintf(why, sizeof(why), "sqlite insert %s: %s", rec->serial_hex,
                 sqlite3_errmsg(ss->wdb));
        set_result(r, CMC_ERR_STORE, why);
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
}

/* One transaction for the batch. Returns 1 when it committed, 0 when nothing did. */
static int write_batch(struct sq_store *ss, struct put_req **b, size_t n)
{
    size_t i;

    if (sqlite3_exec(ss->wdb, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        fail_batch(b, n, "begin", ss->wdb);
        return 0;
    }
    for (i = 0; i < n; i++)
        insert_one(ss, b[i]);
    /* I/O errors, a full disk or no memory make SQLite roll the whole transaction back
     * by itself; then no record of the batch is stored, whatever its own result said. */
    if (sqlite3_get_autocommit(ss->wdb)) {
        fail_batch(b, n, "transaction rolled back", ss->wdb);
        return 0;
    }
    if (sqlite3_exec(ss->wdb, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        /* A failed COMMIT may still have reached the disk. Failing every record is the
         * safe side: the CA then returns no certificate that could be unrecorded. */
        fail_batch(b, n, "commit", ss->wdb);
        (void)sqlite3_exec(ss->wdb, "ROLLBACK", NULL, NULL, NULL);
        return 0;
    }
    return 1;
}

/* Publishes r's result and wakes its caller. r must not be touched afterwards: the caller
 * may already have returned and reused its stack. */
static void put_done(struct put_req *r)
{
    uint32_t *word = &r->done;

    __atomic_store_n(word, 1, __ATOMIC_RELEASE);
    (void)syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Sleeps until put_done(r). Spurious and stale wakes just re-check the word. */
static void put_wait(struct put_req *r)
{
    while (__atomic_load_n(&r->done, __ATOMIC_ACQUIRE) == 0)
        (void)syscall(SYS_futex, &r->done, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
}

/* Called with mu held and the queue not empty. When the last batch had company, waits at
 * most COLLECT_US for as many callers as it had, so that they share one commit. */
static void collect(struct sq_store *ss)
{
    struct timespec until;

    if (ss->last_batch < 2 || ss->queued >= ss->last_batch || ss->stopping)
        return;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += COLLECT_US * 1000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    ss->want = ss->last_batch < BATCH_MAX ? ss->last_batch : BATCH_MAX;
    __atomic_add_fetch(&ss->collects, 1, __ATOMIC_RELAXED);
    while (ss->queued < ss->want && !ss->stopping)
        if (pthread_cond_timedwait(&ss->work, &ss->mu, &until) == ETIMEDOUT)
            break;
    ss->want = 0;
}

static void *writer_main(void *arg)
{
    struct sq_store *ss = arg;
    struct put_req *batch[BATCH_MAX];
    size_t n, i;
    int committed;

    pthread_mutex_lock(&ss->mu);
    for (;;) {
        while (ss->head == NULL && !ss->stopping) {
            ss->writer_idle = 1;
            pthread_cond_wait(&ss->work, &ss->mu);
            ss->writer_idle = 0;
        }
        if (ss->head == NULL)
            break; /* stopping, and the queue is drained */
        collect(ss);
        for (n = 0; n < BATCH_MAX && ss->head != NULL; n++) {
            batch[n] = ss->head;
            ss->head = ss->head->next;
        }
        if (ss->head == NULL)
            ss->tail = NULL;
        ss->queued -= n;
        ss->last_batch = n;
        pthread_cond_broadcast(&ss->room);
        /* New requests queue up while this batch commits; they form the next batch. */
        pthread_mutex_unlock(&ss->mu);
        committed = write_batch(ss, batch, n);
        /* Counted before anyone wakes: a caller that returns sees its own commit. */
        __atomic_add_fetch(&ss->commits, (uint64_t)committed, __ATOMIC_RELAXED);
        for (i = 0; i < n; i++)
            put_done(batch[i]);
        pthread_mutex_lock(&ss->mu);
    }
    pthread_mutex_unlock(&ss->mu);
    return NULL;
}

/* collect() waits against CLOCK_MONOTONIC: a clock step must not stretch a commit. */
static int init_monotonic_cond(pthread_cond_t *c)
{
    pthread_condattr_t a;
    int ok;

    if (pthread_condattr_init(&a) != 0)
        return 0;
    ok = pthread_condattr_setclock(&a, CLOCK_MONOTONIC) == 0 && pthread_cond_init(c, &a) == 0;
    (void)pthread_condattr_destroy(&a);
    return ok;
}

static cmc_err sq_open(void **state, const char *path)
{
    struct sq_store *ss = NULL;
    cmc_err rv;

    *state = NULL;
    CMC_ENSURE(path[0] != '\0', CMC_ERR_CONFIG, "sqlite: needs a path");
    /* These names would give a database that is not the file the operator named. */
    CMC_ENSURE(strcmp(path, ":memory:") != 0 && strncmp(path, "file:", 5) != 0,
               CMC_ERR_CONFIG, "sqlite:%s is not a plain file path", path);
    CMC_GUARD(create_private(path));

    ss = OPENSSL_zalloc(sizeof(*ss));
    if (ss == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "sqlite store");
        goto err;
    }
    /* Default attributes: on Linux these cannot fail and allocate nothing, so a partial
     * failure needs no unwinding beyond not destroying them later. */
    ss->sync_ok = pthread_mutex_init(&ss->mu, NULL) == 0 &&
                  pthread_mutex_init(&ss->rmu, NULL) == 0 &&
                  init_monotonic_cond(&ss->work) &&
                  pthread_cond_init(&ss->room, NULL) == 0;
    if (!ss->sync_ok) {
        rv = cmci_fail(CMC_ERR_INTERNAL, "mutex/cond init");
        goto err;
    }
    /* The writer connection creates the schema before the reader prepares against it. */
    rv = open_conn(path, &ss->wdb);
    if (rv == CMC_OK)
        rv = init_schema(ss->wdb);
    /* The writer only appends: it touches the right edge of the table and of the serial
     * index, and the pages of the batch in hand (at most 256 rows, about 60 pages). The
     * default 2 MB cache just filled up with pages it never reads again, and that slow
     * filling was the server's RSS growth under load (docs/internals/store.md). */
    if (rv == CMC_OK)
        rv = exec(ss->wdb, "PRAGMA cache_size=-" WRITER_CACHE_KIB);
    if (rv == CMC_OK)
        rv = prepare(ss->wdb, insert_sql, &ss->ins);
    if (rv == CMC_OK)
        rv = open_conn(path, &ss->rdb);
    if (rv == CMC_OK)
        rv = prepare(ss->rdb, get_sql, &ss->get);
    if (rv == CMC_OK)
        rv = prepare(ss->rdb, count_sql, &ss->count);
    if (rv != CMC_OK)
        goto err; /* the failing step recorded why */
    if (pthread_create(&ss->writer, NULL, writer_main, ss) != 0) {
        rv = cmci_fail(CMC_ERR_INTERNAL, "start writer thread");
        goto err;
    }
    ss->writer_running = 1;
    *state = ss;
    return CMC_OK;

err:
    sq_close(ss);
    return rv;
}

/* Drains the queue (every queued put still commits), stops the writer, closes the file. */
static void sq_close(void *state)
{
    struct sq_store *ss = state;

    if (ss == NULL)
        return;
    if (ss->writer_running) {
        pthread_mutex_lock(&ss->mu);
        ss->stopping = 1;
        pthread_cond_signal(&ss->work);
        pthread_cond_broadcast(&ss->room);
        pthread_mutex_unlock(&ss->mu);
        pthread_join(ss->writer, NULL);
    }
    sqlite3_finalize(ss->get);
    sqlite3_finalize(ss->count);
    sqlite3_finalize(ss->ins);
    /* Readers first: the last connection to close checkpoints the WAL into the file. */
    sqlite3_close(ss->rdb);
    sqlite3_close(ss->wdb);
    if (ss->sync_ok) {
        pthread_cond_destroy(&ss->room);
        pthread_cond_destroy(&ss->work);
        pthread_mutex_destroy(&ss->rmu);
        pthread_mutex_destroy(&ss->mu);
    }
    OPENSSL_free(ss);
}

static cmc_err sq_cert_put(void *state, const struct cmc_cert_record *rec)
{
    struct sq_store *ss = state;
    struct put_req req = {.rec = rec, .rv = CMC_ERR_INTERNAL};
    int queued = 0;

    pthread_mutex_lock(&ss->mu);
    while (ss->queued >= QUEUE_MAX && !ss->stopping)
        pthread_cond_wait(&ss->room, &ss->mu);
    if (ss->stopping) {
        set_result(&req, CMC_ERR_STORE, "store is closing");
    } else {
        if (ss->tail != NULL)
            ss->tail->next = &req;
        else
            ss->head = &req;
        ss->tail = &req;
        ss->queued++;
        queued = 1;
        /* Only when the writer sleeps, or when it collects and the queue just reached the
         * batch it waits for: while it commits, it finds us in the queue anyway, and a
         * signal nobody waits for is a wasted call. */
        if (ss->writer_idle || (ss->want != 0 && ss->queued == ss->want))
            pthread_cond_signal(&ss->work);
    }
    pthread_mutex_unlock(&ss->mu);
    if (queued)
        put_wait(&req);
    CMC_ENSURE(req.rv == CMC_OK, req.rv, "%s", req.why);
    return CMC_OK;
}

static cmc_err sq_cert_get_der(void *state, const char *serial_hex, uint8_t **der,
                               size_t *len)
{
    struct sq_store *ss = state;
    uint8_t *copy = NULL;
    int rc, n = 0;
    cmc_err rv = CMC_OK;

    pthread_mutex_lock(&ss->rmu);
    rc = sqlite3_bind_text(ss->get, 1, serial_hex, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(ss->get);
    if (rc == SQLITE_ROW) {
        n = sqlite3_column_bytes(ss->get, 0);
        if (n <= 0 || (size_t)n > CMCI_STORE_DER_MAX)
            rv = cmci_fail(CMC_ERR_STORE, "stored DER of %s has %d bytes", serial_hex, n);
        else
            copy = OPENSSL_memdup(sqlite3_column_blob(ss->get, 0), (size_t)n);
        if (rv == CMC_OK && copy == NULL)
            rv = cmci_fail(CMC_ERR_NOMEM, "copy DER");
    } else if (rc == SQLITE_DONE) {
        rv = cmci_fail(CMC_ERR_NOT_FOUND, "serial %s not stored", serial_hex);
    } else {
        rv = DB_FAIL(ss->rdb, "get");
    }
    /* Reset ends the read transaction, so the next read sees every later commit. */
    sqlite3_reset(ss->get);
    sqlite3_clear_bindings(ss->get);
    pthread_mutex_unlock(&ss->rmu);
    if (rv == CMC_OK) {
        *der = copy;
        *len = (size_t)n;
    }
    return rv;
}

static cmc_err sq_cert_count(void *state, uint64_t *count)
{
    struct sq_store *ss = state;
    cmc_err rv = CMC_OK;

    pthread_mutex_lock(&ss->rmu);
    if (sqlite3_step(ss->count) == SQLITE_ROW)
        *count = (uint64_t)sqlite3_column_int64(ss->count, 0);
    else
        rv = DB_FAIL(ss->rdb, "count");
    sqlite3_reset(ss->count);
    pthread_mutex_unlock(&ss->rmu);
    return rv;
}

uint64_t cmci_store_sqlite_commit_count(const struct cmc_store *st)
{
    struct sq_store *ss;
    uint64_t n;

    if (st == NULL || st->meth != &cmci_store_sqlite_method)
        return 0;
    ss = st->state;
    n = __atomic_load_n(&ss->commits, __ATOMIC_RELAXED);
    return n;
}

uint64_t cmci_store_sqlite_collect_count(const struct cmc_store *st)
{
    if (st == NULL || st->meth != &cmci_store_sqlite_method)
        return 0;
    return __atomic_load_n(&((struct sq_store *)st->state)->collects, __ATOMIC_RELAXED);
}

const struct cmc_store_method cmci_store_sqlite_method = {
    .version = 1,
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .cert_put = sq_cert_put,
    .cert_get_der = sq_cert_get_der,
    .cert_count = sq_cert_count,
};
