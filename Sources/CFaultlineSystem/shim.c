#define _GNU_SOURCE 1
#include "CFaultlineSystem.h"
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/epoll.h>
#include <sys/socket.h>

int CFaultlineSystem_epoll_create(void) {
    return epoll_create1(EPOLL_CLOEXEC);
}

int CFaultlineSystem_epoll_ctl(int epfd, int op, int fd, uint32_t events) {
    struct epoll_event event;
    event.events = events;
    event.data.u64 = 0;
    event.data.fd = fd;
    return epoll_ctl(epfd, op, fd, &event);
}

int CFaultlineSystem_epoll_wait(int epfd, int *fds, uint32_t *events, int capacity, int timeout) {
    struct epoll_event buffer[256];
    if (capacity > 256) capacity = 256;
    int n = epoll_wait(epfd, buffer, capacity, timeout);
    for (int i = 0; i < n; i++) {
        fds[i] = buffer[i].data.fd;
        events[i] = buffer[i].events;
    }
    return n;
}

uint32_t CFaultlineSystem_EPOLLIN(void) { return EPOLLIN | EPOLLRDHUP; }
uint32_t CFaultlineSystem_EPOLLOUT(void) { return EPOLLOUT; }
uint32_t CFaultlineSystem_EPOLLERRORS(void) { return EPOLLERR | EPOLLHUP; }
int CFaultlineSystem_EPOLL_CTL_ADD(void) { return EPOLL_CTL_ADD; }
int CFaultlineSystem_EPOLL_CTL_MOD(void) { return EPOLL_CTL_MOD; }
int CFaultlineSystem_EPOLL_CTL_DEL(void) { return EPOLL_CTL_DEL; }

int CFaultlineSystem_accept4(int fd) {
    return accept4(fd, 0, 0, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int CFaultlineSystem_available_cpus(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return -1;
    return CPU_COUNT(&set);
}

int CFaultlineSystem_eventfd(void) {
    return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

void CFaultlineSystem_eventfd_signal(int fd) {
    eventfd_write(fd, 1);
}

void CFaultlineSystem_eventfd_drain(int fd) {
    eventfd_t value;
    eventfd_read(fd, &value);
}

void CFaultlineSystem_name_thread(const char *name) {
    char shortName[16];
    strncpy(shortName, name, sizeof(shortName) - 1);
    shortName[sizeof(shortName) - 1] = 0;
    pthread_setname_np(pthread_self(), shortName);
}
