// rateload: open-loop HTTP/1.1 load at a constant rate (wrk2-style), for the webhook benchmark.
//
//   rateload --port 8080 --rate 1000 --duration 15 --connections 32 --requests FILE [--host 127.0.0.1]
//
// FILE holds ready-made requests, each as "<byte count>\n<raw HTTP/1.1 request>", sent in order, one per scheduled
// slot (so every request can carry its own event id and signature; make_webhook_requests.py writes it). Request i is
// due at start + i / rate whatever happened before it: a request waiting for a free connection, or delayed by a stall,
// counts its wait in its latency, which is measured from the scheduled time, not from the send (no coordinated
// omission). One thread and epoll, with a timerfd for microsecond scheduling, so the generator costs little CPU on a
// machine it shares with the server; it prints its own CPU time and how late it dispatched requests, so a figure
// limited by the generator shows as such.
//
// Prints "key value" lines: sent, ok, errors, achieved_rps, latency_{p50,p90,p99,p999,max}_ms, dispatch_lag_p99_ms,
// dispatch_lag_max_ms, generator_cpu_s.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    int fd;
    int busy;
    long request;   // index of the request in flight
    size_t written; // bytes of it sent so far
    char buffer[16384];
    size_t filled;
} Connection;

static const char **requests;
static size_t *request_lengths;
static long request_count;

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double percentile(double *sorted, long count, double p) {
    if (count == 0) return 0.0 / 0.0;
    long index = (long)(p / 100.0 * (double)count);
    if (index >= count) index = count - 1;
    return sorted[index];
}

static void load_requests(const char *path) {
    FILE *file = fopen(path, "rb");
    if (!file) { perror(path); exit(2); }
    long capacity = 1024;
    requests = malloc(sizeof(char *) * capacity);
    request_lengths = malloc(sizeof(size_t) * capacity);
    size_t length;
    while (fscanf(file, "%zu", &length) == 1) {
        if (fgetc(file) != '\n') { fprintf(stderr, "%s: malformed record\n", path); exit(2); }
        char *bytes = malloc(length);
        if (fread(bytes, 1, length, file) != length) { fprintf(stderr, "%s: truncated record\n", path); exit(2); }
        if (request_count == capacity) {
            capacity *= 2;
            requests = realloc(requests, sizeof(char *) * capacity);
            request_lengths = realloc(request_lengths, sizeof(size_t) * capacity);
        }
        requests[request_count] = bytes;
        request_lengths[request_count++] = length;
    }
    fclose(file);
}

static int open_connection(const char *host, int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &address.sin_addr);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) { perror("connect"); exit(2); }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

// The length of a complete response at the start of the buffer, 0 while incomplete; sets *status.
static size_t complete_response(const char *buffer, size_t filled, int *status) {
    const char *end = memmem(buffer, filled, "\r\n\r\n", 4);
    if (!end) return 0;
    size_t head = (size_t)(end - buffer) + 4;
    *status = (filled > 12 && strncmp(buffer, "HTTP/1.", 7) == 0) ? atoi(buffer + 9) : 0;
    size_t body = 0;
    for (const char *line = buffer; line < end;) {
        const char *next = memmem(line, (size_t)(end - line) + 2, "\r\n", 2);
        if (!next) break;
        if ((size_t)(next - line) > 15 && strncasecmp(line, "content-length:", 15) == 0) body = strtoul(line + 15, NULL, 10);
        line = next + 2;
    }
    return filled >= head + body ? head + body : 0;
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1", *path = NULL;
    int port = 0, connections = 32;
    double rate = 1000, duration = 15;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--host")) host = argv[i + 1];
        else if (!strcmp(argv[i], "--port")) port = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--rate")) rate = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--duration")) duration = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--connections")) connections = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--requests")) path = argv[i + 1];
        else { fprintf(stderr, "unknown option %s\n", argv[i]); return 64; }
    }
    if (!port || !path || rate <= 0 || duration <= 0 || connections <= 0) {
        fprintf(stderr, "usage: rateload --port N --rate R --duration S --connections C --requests FILE [--host H]\n");
        return 64;
    }
    load_requests(path);
    long total = (long)(rate * duration);
    if (total > request_count) { fprintf(stderr, "%s has %ld requests, %ld needed\n", path, request_count, total); return 2; }

    int epoll = epoll_create1(0);
    int timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    struct epoll_event event = {.events = EPOLLIN, .data.u64 = UINT64_MAX};
    epoll_ctl(epoll, EPOLL_CTL_ADD, timer, &event);
    Connection *pool = calloc((size_t)connections, sizeof(Connection));
    int *idle = malloc(sizeof(int) * connections), idle_count = 0;
    for (int i = 0; i < connections; i++) {
        pool[i].fd = open_connection(host, port);
        event = (struct epoll_event){.events = EPOLLIN, .data.u64 = (uint64_t)i};
        epoll_ctl(epoll, EPOLL_CTL_ADD, pool[i].fd, &event);
        idle[idle_count++] = i;
    }
    double *latency = malloc(sizeof(double) * total), *lag = malloc(sizeof(double) * total);
    long due = 0, dispatched = 0, completed = 0, ok = 0, errors = 0;
    const double start = now_s() + 0.01, give_up = start + duration + 10;
    double finished = start;

    while (completed < total) {
        double now = now_s();
        if (now > give_up) break;
        while (due < total && start + (double)due / rate <= now) due++;
        // Requests due and not yet sent wait in order for a free connection (their wait counts in their latency).
        while (dispatched < due && idle_count > 0) {
            Connection *c = &pool[idle[--idle_count]];
            c->busy = 1;
            c->request = dispatched;
            c->written = 0;
            lag[dispatched] = now - (start + (double)dispatched / rate);
            dispatched++;
            ssize_t n = write(c->fd, requests[c->request], request_lengths[c->request]);
            if (n > 0) c->written = (size_t)n;
            if (c->written < request_lengths[c->request]) {
                event = (struct epoll_event){.events = EPOLLIN | EPOLLOUT, .data.u64 = (uint64_t)(c - pool)};
                epoll_ctl(epoll, EPOLL_CTL_MOD, c->fd, &event);
            }
        }
        if (due < total) {
            double next = start + (double)due / rate;
            struct itimerspec when = {0};
            when.it_value.tv_sec = (time_t)next;
            when.it_value.tv_nsec = (long)((next - (double)(time_t)next) * 1e9);
            if (when.it_value.tv_sec == 0 && when.it_value.tv_nsec == 0) when.it_value.tv_nsec = 1;
            timerfd_settime(timer, TFD_TIMER_ABSTIME, &when, NULL);
        }
        struct epoll_event events[64];
        int ready = epoll_wait(epoll, events, 64, due < total ? -1 : 1000);
        for (int e = 0; e < ready; e++) {
            if (events[e].data.u64 == UINT64_MAX) {
                uint64_t expirations;
                if (read(timer, &expirations, sizeof expirations) < 0 && errno != EAGAIN) perror("timerfd");
                continue;
            }
            Connection *c = &pool[events[e].data.u64];
            if ((events[e].events & EPOLLOUT) && c->busy) {
                ssize_t n = write(c->fd, requests[c->request] + c->written, request_lengths[c->request] - c->written);
                if (n > 0) c->written += (size_t)n;
                if (c->written == request_lengths[c->request]) {
                    event = (struct epoll_event){.events = EPOLLIN, .data.u64 = events[e].data.u64};
                    epoll_ctl(epoll, EPOLL_CTL_MOD, c->fd, &event);
                }
            }
            if (!(events[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
            ssize_t n = read(c->fd, c->buffer + c->filled, sizeof c->buffer - c->filled);
            if (n <= 0) {
                if (n < 0 && errno == EAGAIN) continue;
                fprintf(stderr, "connection closed by the server\n");
                epoll_ctl(epoll, EPOLL_CTL_DEL, c->fd, NULL);
                close(c->fd);
                if (c->busy) { errors++; completed++; c->busy = 0; }
                c->filled = 0;
                c->fd = open_connection(host, port);
                event = (struct epoll_event){.events = EPOLLIN, .data.u64 = events[e].data.u64};
                epoll_ctl(epoll, EPOLL_CTL_ADD, c->fd, &event);
                idle[idle_count++] = (int)(c - pool);
                continue;
            }
            c->filled += (size_t)n;
            int status = 0;
            size_t length = complete_response(c->buffer, c->filled, &status);
            if (!length) {
                if (c->filled == sizeof c->buffer) { fprintf(stderr, "response too large\n"); return 2; }
                continue;
            }
            double done = now_s();
            latency[completed++] = done - (start + (double)c->request / rate);
            finished = done;
            if (status >= 200 && status < 300) ok++; else errors++;
            memmove(c->buffer, c->buffer + length, c->filled - length);
            c->filled -= length;
            c->busy = 0;
            idle[idle_count++] = (int)(c - pool);
        }
    }
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    qsort(latency, (size_t)completed, sizeof(double), compare_doubles);
    qsort(lag, (size_t)dispatched, sizeof(double), compare_doubles);
    printf("sent %ld\nok %ld\nerrors %ld\nunanswered %ld\n", dispatched, ok, errors, total - completed);
    printf("achieved_rps %.0f\n", (double)completed / (finished - start));
    printf("latency_p50_ms %.2f\nlatency_p90_ms %.2f\nlatency_p99_ms %.2f\nlatency_p999_ms %.2f\nlatency_max_ms %.2f\n",
           percentile(latency, completed, 50) * 1000, percentile(latency, completed, 90) * 1000,
           percentile(latency, completed, 99) * 1000, percentile(latency, completed, 99.9) * 1000,
           completed ? latency[completed - 1] * 1000 : 0.0 / 0.0);
    printf("dispatch_lag_p99_ms %.2f\ndispatch_lag_max_ms %.2f\n", percentile(lag, dispatched, 99) * 1000,
           dispatched ? lag[dispatched - 1] * 1000 : 0.0 / 0.0);
    printf("generator_cpu_s %.2f\n", (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6 +
                                         (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6);
    return 0;
}
