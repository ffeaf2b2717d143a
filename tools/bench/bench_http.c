/* SPDX-License-Identifier: Apache-2.0 */
/* cmc-bench load loop: N threads, each one HTTP/1.1 keep-alive connection to 127.0.0.1 with
 * blocking sockets, posting requests and reading Content-Length-framed answers. */
#include "bench.h"

#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <openssl/cms.h>

#include <cmc/asn1.h>

#include "asn1/asn1_local.h"

/* Responses are a few kB; anything beyond this is an error, not something to buffer. */
#define MAX_RESPONSE (1024 * 1024)
#define MAX_PRINTED_ERRORS 10

struct shared {
    unsigned port;
    const struct bench_reqset *rs;
    size_t count;
    double deadline;
    atomic_size_t next;
    atomic_size_t attempted;
    atomic_size_t done;
    atomic_size_t errors;
    atomic_int printed;
    double *latency_ms;
};

static void report_error(struct shared *sh, size_t idx, const char *fmt, const char *detail)
{
    atomic_fetch_add(&sh->errors, 1);
    if (atomic_fetch_add(&sh->printed, 1) < MAX_PRINTED_ERRORS) {
        fprintf(stderr, "cmc-bench: request %zu: %s%s\n", idx, fmt, detail != NULL ? detail : "");
    }
}

static int connect_loopback(unsigned port)
{
    struct sockaddr_in a;
    struct timeval tv = {30, 0}; /* no single read or write may hang the run */
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0) {
        return -1;
    }
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int send_all(int fd, const uint8_t *p, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Case-insensitive search for header @name in the header block; returns its value or NULL. */
static const char *find_header(const char *hdrs, const char *name, size_t *vlen)
{
    size_t nl = strlen(name);
    const char *p = strstr(hdrs, "\r\n");

    while (p != NULL && p[2] != '\r') {
        const char *line = p + 2;
        const char *end = strstr(line, "\r\n");

        if (end == NULL) {
            return NULL;
        }
        if ((size_t)(end - line) > nl && strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
            const char *v = line + nl + 1;

            while (*v == ' ' || *v == '\t') {
                v++;
            }
            *vlen = (size_t)(end - v);
            return v;
        }
        p = end;
    }
    return NULL;
}

/* Media types equal ignoring case and blanks after ';'. */
static int media_type_eq(const char *got, size_t glen, const char *want)
{
    size_t i = 0;

    while (*want != '\0') {
        if (i >= glen) {
            return 0;
        }
        if (got[i] == ' ' && (i > 0 && got[i - 1] == ';')) {
            i++;
            continue;
        }
        if (*want == ' ' && want[-1] == ';') {
            want++;
            continue;
        }
        if (tolower((unsigned char)got[i]) != tolower((unsigned char)*want)) {
            return 0;
        }
        i++;
        want++;
    }
    while (i < glen && (got[i] == ' ' || got[i] == '\t')) {
        i++;
    }
    return i == glen;
}

/* Describe a non-success CMCStatusInfoV2 / CMCStatusInfo into @why. */
static void describe_status(char *why, size_t cap, long st, const ASN1_INTEGER *fail,
                            const ASN1_UTF8STRING *text)
{
    snprintf(why, cap, "status %s, failInfo %s: %.*s", cmc_status_name(st),
             fail != NULL ? cmc_fail_info_name(ASN1_INTEGER_get(fail)) : "(none)",
             text != NULL ? (text->length < 160 ? text->length : 160) : 0,
             text != NULL ? (const char *)text->data : "");
}

/* Full PKI Response: every statusInfoV2 (id-cmc 25) or statusInfo (id-cmc 1) control says
 * success, and there is at least one. The signature is not verified here: that costs the
 * client as much CPU as the server spends, and the integration tests verify it.
 * @return 0 when all is well, else -1 with the reason in @why. */
static int full_status_problem(const uint8_t *body, size_t len, char *why, size_t cap)
{
    const unsigned char *p = body;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
    ASN1_OCTET_STRING **pos;
    CMC_PKIRESPONSE *resp = NULL;
    int i, seen = 0, bad = 0;

    why[0] = '\0';
    if (cms == NULL || (pos = CMS_get0_content(cms)) == NULL || *pos == NULL) {
        snprintf(why, cap, "response is not a CMS SignedData with content");
        bad = 1;
        goto out;
    }
    p = (*pos)->data;
    if ((resp = d2i_CMC_PKIRESPONSE(NULL, &p, (*pos)->length)) == NULL) {
        snprintf(why, cap, "content is not a PKIResponse");
        bad = 1;
        goto out;
    }
    for (i = 0; i < sk_CMC_TAGGED_ATTRIBUTE_num(resp->controlSequence) && !bad; i++) {
        CMC_TAGGED_ATTRIBUTE *ta = sk_CMC_TAGGED_ATTRIBUTE_value(resp->controlSequence, i);
        int n = cmc_oid_control_num(ta->attrType);
        int j;

        if (n != CMC_CTRL_STATUS_INFO_V2 && n != CMC_CTRL_STATUS_INFO) {
            continue;
        }
        for (j = 0; j < sk_ASN1_TYPE_num(ta->attrValues) && !bad; j++) {
            ASN1_TYPE *t = sk_ASN1_TYPE_value(ta->attrValues, j);
            const unsigned char *q;

            if (t->type != V_ASN1_SEQUENCE) {
                snprintf(why, cap, "status control value is not a SEQUENCE");
                bad = 1;
                break;
            }
            q = t->value.sequence->data;
            seen++;
            if (n == CMC_CTRL_STATUS_INFO_V2) {
                CMC_STATUS_INFO_V2 *si = d2i_CMC_STATUS_INFO_V2(NULL, &q, t->value.sequence->length);

                if (si == NULL) {
                    snprintf(why, cap, "undecodable statusInfoV2");
                    bad = 1;
                } else if (ASN1_INTEGER_get(si->cMCStatus) != CMC_STATUS_SUCCESS) {
                    const ASN1_INTEGER *fi = si->otherInfo != NULL
                                                     && si->otherInfo->type == CMC_OTHER_STATUS_INFO_FAIL
                                                 ? si->otherInfo->value.failInfo
                                                 : NULL;

                    describe_status(why, cap, ASN1_INTEGER_get(si->cMCStatus), fi, si->statusString);
                    bad = 1;
                }
                CMC_STATUS_INFO_V2_free(si);
            } else {
                CMC_STATUS_INFO *si = d2i_CMC_STATUS_INFO(NULL, &q, t->value.sequence->length);

                if (si == NULL) {
                    snprintf(why, cap, "undecodable statusInfo");
                    bad = 1;
                } else if (ASN1_INTEGER_get(si->cMCStatus) != CMC_STATUS_SUCCESS) {
                    const ASN1_INTEGER *fi = si->otherInfo != NULL
                                                     && si->otherInfo->type == CMC_OTHER_INFO_FAIL
                                                 ? si->otherInfo->value.failInfo
                                                 : NULL;

                    describe_status(why, cap, ASN1_INTEGER_get(si->cMCStatus), fi, si->statusString);
                    bad = 1;
                }
                CMC_STATUS_INFO_free(si);
            }
        }
    }
    if (!bad && seen == 0) {
        snprintf(why, cap, "no status control in the PKIResponse");
        bad = 1;
    }
out:
    CMC_PKIRESPONSE_free(resp);
    CMS_ContentInfo_free(cms);
    return bad ? -1 : 0;
}

/* Read one HTTP response into @buf. @return body offset (>0) and sets *body_len, *status,
 * *keep; -1 on transport error. */
static long read_response(int fd, char *buf, size_t cap, size_t *body_len, int *status, int *keep,
                          const char **ct, size_t *ct_len)
{
    size_t have = 0, hdr_end = 0, clen = 0;
    const char *v;
    size_t vlen;

    for (;;) {
        ssize_t n;
        char *e;

        if (have + 1 >= cap) {
            return -1;
        }
        n = recv(fd, buf + have, cap - have - 1, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        have += (size_t)n;
        buf[have] = '\0';
        if ((e = strstr(buf, "\r\n\r\n")) != NULL) {
            hdr_end = (size_t)(e - buf) + 4;
            break;
        }
    }
    if (sscanf(buf, "HTTP/1.%*c %d", status) != 1) {
        return -1;
    }
    buf[hdr_end - 2] = '\0'; /* header block ends with its last CRLF */
    if ((v = find_header(buf, "Content-Length", &vlen)) == NULL) {
        return -1;
    }
    clen = strtoul(v, NULL, 10);
    if (clen > MAX_RESPONSE || hdr_end + clen >= cap) {
        return -1;
    }
    *keep = 1;
    if ((v = find_header(buf, "Connection", &vlen)) != NULL && vlen >= 5
        && strncasecmp(v, "close", 5) == 0) {
        *keep = 0;
    }
    *ct = find_header(buf, "Content-Type", ct_len);
    while (have < hdr_end + clen) {
        ssize_t n = recv(fd, buf + have, hdr_end + clen - have, 0);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        have += (size_t)n;
    }
    *body_len = clen;
    return (long)hdr_end;
}

static void *client_main(void *arg)
{
    struct shared *sh = arg;
    const struct bench_reqset *rs = sh->rs;
    size_t cap = MAX_RESPONSE + 8192;
    char *rbuf = malloc(cap);
    uint8_t *sbuf = NULL;
    size_t scap = 0;
    int fd = -1;

    if (rbuf == NULL) {
        return NULL;
    }
    /* Bounded by the shared request counter and by the run's deadline. */
    for (;;) {
        size_t idx = atomic_fetch_add(&sh->next, 1), r, hlen, blen = 0, ct_len = 0;
        char hdr[256];
        double t0;
        long off;
        int status = 0, keep = 0;
        const char *ct = NULL;

        if (idx >= sh->count || bench_now() > sh->deadline) {
            break;
        }
        atomic_fetch_add(&sh->attempted, 1);
        r = idx % rs->n;
        hlen = (size_t)snprintf(hdr, sizeof(hdr),
                                "POST /cmc HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
                                "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n",
                                sh->port, rs->content_type, rs->len[r]);
        if (scap < hlen + rs->len[r]) {
            uint8_t *nb = realloc(sbuf, hlen + rs->len[r]);

            if (nb == NULL) {
                report_error(sh, idx, "out of memory", NULL);
                break;
            }
            sbuf = nb;
            scap = hlen + rs->len[r];
        }
        /* One send per request: header and body in one segment, as a real client would. */
        memcpy(sbuf, hdr, hlen);
        memcpy(sbuf + hlen, rs->der[r], rs->len[r]);
        t0 = bench_now();
        if (fd < 0 && (fd = connect_loopback(sh->port)) < 0) {
            report_error(sh, idx, "connect failed", NULL);
            usleep(10000);
            continue;
        }
        if (send_all(fd, sbuf, hlen + rs->len[r]) != 0
            || (off = read_response(fd, rbuf, cap, &blen, &status, &keep, &ct, &ct_len)) < 0) {
            report_error(sh, idx, "connection failed mid-request", NULL);
            close(fd);
            fd = -1;
            continue;
        }
        sh->latency_ms[atomic_fetch_add(&sh->done, 1)] = (bench_now() - t0) * 1000.0;
        if (status != 200) {
            char detail[200];
            size_t n = blen < 120 ? blen : 120;

            snprintf(detail, sizeof(detail), "%d: %.*s", status, (int)n, rbuf + off);
            report_error(sh, idx, "HTTP ", detail);
        } else if (ct == NULL || !media_type_eq(ct, ct_len, rs->expect_type)) {
            char detail[200];

            snprintf(detail, sizeof(detail), "'%.*s'", ct != NULL ? (int)(ct_len < 150 ? ct_len : 150) : 0,
                     ct != NULL ? ct : "");
            report_error(sh, idx, "unexpected Content-Type ", detail);
        } else if (rs->check_full_status) {
            char why[320];

            if (full_status_problem((const uint8_t *)rbuf + off, blen, why, sizeof(why)) != 0) {
                report_error(sh, idx, "Full PKI Response: ", why);
            }
        }
        if (!keep) {
            close(fd);
            fd = -1;
        }
    }
    if (fd >= 0) {
        close(fd);
    }
    free(sbuf);
    free(rbuf);
    return NULL;
}

int bench_load_run(unsigned port, const struct bench_reqset *rs, unsigned clients, size_t count,
                   double max_seconds, struct bench_load_result *out)
{
    struct shared sh;
    pthread_t *tids;
    unsigned i, started = 0;
    double t0;

    memset(out, 0, sizeof(*out));
    memset(&sh, 0, sizeof(sh));
    sh.port = port;
    sh.rs = rs;
    sh.count = count;
    atomic_init(&sh.next, 0);
    atomic_init(&sh.attempted, 0);
    atomic_init(&sh.done, 0);
    atomic_init(&sh.errors, 0);
    atomic_init(&sh.printed, 0);
    if ((sh.latency_ms = calloc(count > 0 ? count : 1, sizeof(double))) == NULL
        || (tids = calloc(clients, sizeof(*tids))) == NULL) {
        free(sh.latency_ms);
        return -1;
    }
    t0 = bench_now();
    sh.deadline = t0 + max_seconds;
    for (i = 0; i < clients; i++) {
        if (pthread_create(&tids[i], NULL, client_main, &sh) != 0) {
            fprintf(stderr, "cmc-bench: could only start %u client threads\n", i);
            break;
        }
        started++;
    }
    for (i = 0; i < started; i++) {
        pthread_join(tids[i], NULL);
    }
    out->wall_s = bench_now() - t0;
    out->done = atomic_load(&sh.done);
    out->errors = atomic_load(&sh.errors);
    if (atomic_load(&sh.attempted) < count) {
        size_t missing = count - atomic_load(&sh.attempted);

        fprintf(stderr, "cmc-bench: stopped at the %.0f s time bound; %zu requests not sent\n",
                max_seconds, missing);
        out->errors += missing;
    }
    out->latency_ms = sh.latency_ms;
    free(tids);
    return started == clients ? 0 : -1;
}
