// The CPU the calling thread runs on, for per-CPU striped metric cells.
//
// With glibc 2.35 or later the kernel keeps the number in the thread's restartable-sequence (rseq) area, which is
// read directly: a fraction of a nanosecond, where sched_getcpu's call costs about 3. Without an rseq area,
// sched_getcpu (which glibc declares only under _GNU_SOURCE, which Swift's Glibc module does not set); elsewhere -1.
#if defined(__linux__)
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sched.h>
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 35)) && \
    defined(__has_builtin) && __has_builtin(__builtin_thread_pointer)
#include <sys/rseq.h>
static inline int payments_current_cpu(void) {
    if (__rseq_size > 0) {
        const struct rseq *area = (const struct rseq *)((char *)__builtin_thread_pointer() + __rseq_offset);
        int cpu = (int)*(volatile const unsigned int *)&area->cpu_id;
        if (cpu >= 0) return cpu;
    }
    return sched_getcpu();
}
#else
static inline int payments_current_cpu(void) { return sched_getcpu(); }
#endif
#else
static inline int payments_current_cpu(void) { return -1; }
#endif
