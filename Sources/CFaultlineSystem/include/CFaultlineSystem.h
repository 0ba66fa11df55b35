#ifndef CFAULTLINE_SYSTEM_H
#define CFAULTLINE_SYSTEM_H

/* Linux interfaces the Swift Glibc overlay does not export (epoll, eventfd, accept4, thread names, CPU affinity).
   The definitions live in shim.c, compiled with _GNU_SOURCE; this header uses plain types only,
   so it does not change how other modules see glibc. */
#include <stdint.h>

int CFaultlineSystem_epoll_create(void);
/* events: a mask of the values below; the fd is stored as the event's data. */
int CFaultlineSystem_epoll_ctl(int epfd, int op, int fd, uint32_t events);
/* struct epoll_event is packed on x86_64; ready events are copied into plain arrays. */
int CFaultlineSystem_epoll_wait(int epfd, int *fds, uint32_t *events, int capacity, int timeout);

uint32_t CFaultlineSystem_EPOLLIN(void);
uint32_t CFaultlineSystem_EPOLLOUT(void);
uint32_t CFaultlineSystem_EPOLLERRORS(void);
int CFaultlineSystem_EPOLL_CTL_ADD(void);
int CFaultlineSystem_EPOLL_CTL_MOD(void);
int CFaultlineSystem_EPOLL_CTL_DEL(void);

/* accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC: one call instead of accept plus two fcntl. */
int CFaultlineSystem_accept4(int fd);

/* An eventfd (non-blocking, close-on-exec) that wakes an event loop from another thread;
   signal adds 1, drain reads the count back to 0. */
int CFaultlineSystem_eventfd(void);
void CFaultlineSystem_eventfd_signal(int fd);
void CFaultlineSystem_eventfd_drain(int fd);

/* Names the calling thread (15 bytes at most are kept), for top -H and debuggers. */
void CFaultlineSystem_name_thread(const char *name);

/* CPUs this process may run on (honours taskset and container cpusets), or -1. */
int CFaultlineSystem_available_cpus(void);

#endif
