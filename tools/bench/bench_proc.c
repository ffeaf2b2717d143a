/* SPDX-License-Identifier: Apache-2.0 */
/* cmc-bench process control: creates the demo CA with the sibling `cmc`, runs the sibling
 * `cmcd` on a free loopback port, and reads its CPU time and RSS from /proc. */
#include "bench.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

double bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double bench_cpu_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* fork + execv with stdout/stderr going to @logpath; @return the child's pid or -1. */
static pid_t spawn(char *const argv[], const char *logpath)
{
    pid_t pid = fork();

    if (pid < 0) {
        perror("cmc-bench: fork");
        return -1;
    }
    if (pid == 0) {
        int fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0600);

        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

/* Wait for @pid at most @seconds; @return its wait status, or -1 when it is still running. */
static int wait_bounded(pid_t pid, double seconds)
{
    double end = bench_now() + seconds;
    int st;

    while (bench_now() < end) {
        pid_t r = waitpid(pid, &st, WNOHANG);

        if (r == pid) {
            return st;
        }
        if (r < 0 && errno != EINTR) {
            return -1;
        }
        usleep(20000);
    }
    return -1;
}

static void print_log_tail(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[512];

    if (f == NULL) {
        return;
    }
    fprintf(stderr, "--- %s ---\n", path);
    while (fgets(line, sizeof(line), f) != NULL) {
        fputs(line, stderr);
    }
    fclose(f);
}

int bench_ca_init(struct bench_server *s, const char *key_type)
{
    char exe[600], log[600], kt[64];
    char *argv[12];
    int st;
    pid_t pid;

    snprintf(exe, sizeof(exe), "%s/cmc", s->bindir);
    snprintf(log, sizeof(log), "%s.ca-init.log", s->dir);
    snprintf(kt, sizeof(kt), "%s", key_type);
    argv[0] = exe;
    argv[1] = (char *)"ca";
    argv[2] = (char *)"init";
    argv[3] = (char *)"--dir";
    argv[4] = s->dir;
    argv[5] = (char *)"--demo";
    argv[6] = (char *)"--key-type";
    argv[7] = kt;
    argv[8] = (char *)"--subject";
    argv[9] = (char *)"/CN=cmc-bench CA";
    argv[10] = NULL;
    if ((pid = spawn(argv, log)) < 0) {
        return -1;
    }
    st = wait_bounded(pid, 60);
    if (st == -1) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        fprintf(stderr, "cmc-bench: %s ca init did not finish in 60 s\n", exe);
        return -1;
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "cmc-bench: %s ca init failed (status %d)\n", exe, st);
        print_log_tail(log);
        return -1;
    }
    unlink(log);
    return 0;
}

int bench_conf_set(const struct bench_server *s, const char *key, const char *value)
{
    char path[600], tmp[620], line[1024];
    FILE *in, *out;
    int in_cmcd = 0, done = 0, rc = -1;

    snprintf(path, sizeof(path), "%s/cmcd.cnf", s->dir);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    if ((in = fopen(path, "r")) == NULL) {
        fprintf(stderr, "cmc-bench: cannot read %s\n", path);
        return -1;
    }
    if ((out = fopen(tmp, "w")) == NULL) {
        fclose(in);
        return -1;
    }
    while (fgets(line, sizeof(line), in) != NULL) {
        const char *p = line + strspn(line, " \t");

        if (*p == '[') {
            if (in_cmcd && !done) {
                fprintf(out, "%s = %s\n", key, value);
                done = 1;
            }
            in_cmcd = strncmp(p, "[cmcd]", 6) == 0 || strncmp(p, "[ cmcd ]", 8) == 0;
        } else if (in_cmcd && strncmp(p, key, strlen(key)) == 0
                   && strchr(" \t=", p[strlen(key)]) != NULL) {
            /* Replace the existing line once; drop any repeats. */
            if (!done) {
                fprintf(out, "%s = %s\n", key, value);
                done = 1;
            }
            continue;
        }
        fputs(line, out);
    }
    if (in_cmcd && !done) {
        fprintf(out, "%s = %s\n", key, value);
        done = 1;
    }
    fclose(in);
    if (fclose(out) == 0 && done && rename(tmp, path) == 0) {
        rc = 0;
    } else {
        fprintf(stderr, "cmc-bench: no [cmcd] section in %s to set %s\n", path, key);
        unlink(tmp);
    }
    return rc;
}

/* A port the kernel considers free right now (bind to port 0, read it back, close). */
static unsigned free_port(void)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    unsigned port = 0;

    if (fd < 0) {
        return 0;
    }
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0
        && getsockname(fd, (struct sockaddr *)&a, &alen) == 0) {
        port = ntohs(a.sin_port);
    }
    close(fd);
    return port;
}

static int can_connect(unsigned port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

    if (fd < 0) {
        return 0;
    }
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    close(fd);
    return ok;
}

int bench_server_start(struct bench_server *s)
{
    char exe[600], cnf[600], log[600], listen_arg[64];
    char *argv[8];
    int attempt;

    snprintf(exe, sizeof(exe), "%s/cmcd", s->bindir);
    snprintf(cnf, sizeof(cnf), "%s/cmcd.cnf", s->dir);
    snprintf(log, sizeof(log), "%s/cmcd.log", s->dir);
    /* Another process may take the free port before cmcd binds it: retry a few times. */
    for (attempt = 0; attempt < 3; attempt++) {
        double end;

        s->port = free_port();
        if (s->port == 0) {
            fprintf(stderr, "cmc-bench: no free loopback port\n");
            return -1;
        }
        snprintf(listen_arg, sizeof(listen_arg), "127.0.0.1:%u", s->port);
        argv[0] = exe;
        argv[1] = (char *)"--config";
        argv[2] = cnf;
        argv[3] = (char *)"--listen";
        argv[4] = listen_arg;
        argv[5] = NULL;
        if ((s->pid = spawn(argv, log)) < 0) {
            return -1;
        }
        end = bench_now() + 10;
        while (bench_now() < end) {
            if (waitpid(s->pid, NULL, WNOHANG) == s->pid) {
                s->pid = 0;
                break;
            }
            if (can_connect(s->port)) {
                return 0;
            }
            usleep(20000);
        }
        if (s->pid != 0) {
            fprintf(stderr, "cmc-bench: cmcd did not accept on %s within 10 s\n", listen_arg);
            bench_server_stop(s);
            print_log_tail(log);
            return -1;
        }
    }
    fprintf(stderr, "cmc-bench: cmcd exited at start (3 attempts)\n");
    print_log_tail(log);
    return -1;
}

void bench_server_stop(struct bench_server *s)
{
    if (s->pid <= 0) {
        return;
    }
    kill(s->pid, SIGTERM);
    if (wait_bounded(s->pid, 5) == -1) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
    }
    s->pid = 0;
}

double bench_proc_cpu_seconds(pid_t pid)
{
    char path[64], buf[2048];
    FILE *f;
    size_t n;
    const char *p;
    unsigned long long ut = 0, st = 0;
    long hz = sysconf(_SC_CLK_TCK);

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    if ((f = fopen(path, "r")) == NULL) {
        return -1;
    }
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* The command name may hold spaces: fields are counted from after its closing ')'.
     * After it come field 3 (state) ... field 14 utime, 15 stime. */
    if ((p = strrchr(buf, ')')) == NULL
        || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2
        || hz <= 0) {
        return -1;
    }
    return (double)(ut + st) / (double)hz;
}

unsigned long bench_proc_rss_kb(pid_t pid)
{
    char path[64], line[256];
    FILE *f;
    unsigned long kb = 0;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    if ((f = fopen(path, "r")) == NULL) {
        return 0;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "VmRSS: %lu kB", &kb) == 1) {
            break;
        }
    }
    fclose(f);
    return kb;
}

void bench_rmtree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[1024];

    if (d == NULL) {
        return;
    }
    /* Bounded by the directory's entries; recursion only into the few subdirectories a
     * CA directory can hold. */
    while ((e = readdir(d)) != NULL) {
        struct stat sb;

        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            bench_rmtree(path);
        } else {
            unlink(path);
        }
    }
    closedir(d);
    rmdir(dir);
}
