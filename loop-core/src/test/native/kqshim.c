/*
 * kqshim: kqueue(2) and kevent(2) emulated on Linux with epoll and pidfds, for testing loop's kqueue
 * poller on Linux. TEST-ONLY: built by the test phase, never shipped.
 *
 * ABI: FreeBSD 12+ (64-byte struct kevent with ext[4]) by default; macOS's 32-byte struct kevent when
 * built with -DKQSHIM_MACOS. Filter, flag and note values are the ones both systems share.
 *
 * What is emulated, following the kqueue(2) manual:
 *  - a kqueue is an epoll descriptor plus a table of knotes keyed by (ident, filter);
 *  - EVFILT_READ and EVFILT_WRITE on one descriptor share one epoll registration, and each ready
 *    direction comes back as its own kevent; `data` is the byte count from FIONREAD (read) or the
 *    free space in the send buffer (write, from SIOCOUTQ where it applies);
 *  - EV_EOF is set when the peer closed or the socket failed (EPOLLRDHUP/EPOLLHUP/EPOLLERR); fflags stays
 *    0 (kqueue puts the pending socket error there, which Linux can only read by clearing it);
 *  - EV_ADD (also modifies: udata, EV_CLEAR), EV_DELETE, EV_ENABLE, EV_DISABLE, EV_ONESHOT, EV_DISPATCH,
 *    EV_CLEAR (edge-triggered for the whole descriptor), EV_RECEIPT;
 *  - EVFILT_PROC with NOTE_EXIT through a pidfd: reported once, with the wait status in `data` and
 *    EV_EOF, without reaping the child; the knote is then deleted;
 *  - EVFILT_USER through an eventfd: NOTE_TRIGGER (from any thread) fires it; it stays triggered until
 *    delivered with EV_CLEAR (or deleted); the low 24 bits of fflags are returned as set at EV_ADD;
 *  - changes are applied in order before any event is collected; a failed change is returned as an
 *    EV_ERROR entry with the errno in `data` when the event list has room (and the call then returns
 *    without waiting), else kevent() fails with that errno;
 *  - timeouts: NULL waits forever, {0, 0} polls, anything else waits with nanosecond precision
 *    (epoll_pwait2, falling back to milliseconds rounded up).
 * Not emulated: EVFILT_TIMER, EVFILT_VNODE, EVFILT_SIGNAL, regular files (epoll refuses
 * them: EV_ERROR with EPERM, where kqueue would report them always readable).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef KQSHIM_MACOS
struct kevent {
    uintptr_t ident;
    int16_t filter;
    uint16_t flags;
    uint32_t fflags;
    intptr_t data;
    void *udata;
};
_Static_assert(sizeof(struct kevent) == 32, "macOS struct kevent is 32 bytes");
#else
struct kevent {
    uintptr_t ident;
    int16_t filter;
    uint16_t flags;
    uint32_t fflags;
    int64_t data;
    void *udata;
    uint64_t ext[4];
};
_Static_assert(sizeof(struct kevent) == 64, "FreeBSD 12+ struct kevent is 64 bytes");
#endif

#define EVFILT_READ (-1)
#define EVFILT_WRITE (-2)
#define EVFILT_PROC (-5)
#ifdef KQSHIM_MACOS
#define EVFILT_USER (-10)
#else
#define EVFILT_USER (-11)
#endif
#define NOTE_TRIGGER 0x01000000u
#define NOTE_FFLAGSMASK 0x00ffffffu
#define EV_ADD 0x0001
#define EV_DELETE 0x0002
#define EV_ENABLE 0x0004
#define EV_DISABLE 0x0008
#define EV_ONESHOT 0x0010
#define EV_CLEAR 0x0020
#define EV_RECEIPT 0x0040
#define EV_DISPATCH 0x0080
#define EV_ERROR 0x4000
#define EV_EOF 0x8000
#define NOTE_EXIT 0x80000000u

#define PROC_TAG (1ULL << 63)
#define USER_TAG (1ULL << 62)

struct knote {
    uintptr_t ident;
    int16_t filter;
    uint16_t flags; /* EV_ONESHOT, EV_DISPATCH, EV_CLEAR as given */
    uint32_t fflags;
    void *udata;
    int enabled;
    int pidfd; /* EVFILT_PROC: the pidfd; EVFILT_USER: the eventfd */
};

struct kq {
    int epfd;
    struct knote *notes;
    int count;
    int cap;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct kq **table;
static int table_len;

/* The state of kqueue `fd`, created (or reset, when an earlier kqueue's number was reused) on demand. */
static struct kq *kq_of(int fd, int create) {
    if (fd < 0) {
        return NULL;
    }
    if (fd >= table_len) {
        if (!create) {
            return NULL;
        }
        int len = fd + 64;
        struct kq **t = realloc(table, len * sizeof(*t));
        if (t == NULL) {
            return NULL;
        }
        memset(t + table_len, 0, (len - table_len) * sizeof(*t));
        table = t;
        table_len = len;
    }
    if (create) {
        struct kq *old = table[fd];
        if (old != NULL) {
            for (int i = 0; i < old->count; i++) {
                if (old->notes[i].pidfd >= 0) {
                    close(old->notes[i].pidfd);
                }
            }
            free(old->notes);
            free(old);
        }
        table[fd] = calloc(1, sizeof(struct kq));
        if (table[fd] != NULL) {
            table[fd]->epfd = fd;
        }
    }
    return table[fd];
}

int kqueue(void) {
    int fd = epoll_create1(EPOLL_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    pthread_mutex_lock(&lock);
    struct kq *k = kq_of(fd, 1);
    pthread_mutex_unlock(&lock);
    if (k == NULL) {
        close(fd);
        errno = ENOMEM;
        return -1;
    }
    return fd;
}

static struct knote *find(struct kq *k, uintptr_t ident, int16_t filter) {
    for (int i = 0; i < k->count; i++) {
        if (k->notes[i].ident == ident && k->notes[i].filter == filter) {
            return &k->notes[i];
        }
    }
    return NULL;
}

static void remove_note(struct kq *k, struct knote *n) {
    if (n->pidfd >= 0) {
        epoll_ctl(k->epfd, EPOLL_CTL_DEL, n->pidfd, NULL);
        close(n->pidfd);
    }
    *n = k->notes[--k->count];
}

/* Makes the epoll registration of descriptor `fd` match its enabled read and write knotes. */
static int sync_fd(struct kq *k, int fd, int existed_before) {
    struct knote *r = find(k, (uintptr_t) fd, EVFILT_READ);
    struct knote *w = find(k, (uintptr_t) fd, EVFILT_WRITE);
    struct epoll_event ev = {0};
    ev.data.u64 = (uint64_t) (unsigned) fd;
    int clear = 0;
    if (r != NULL) {
        clear |= r->flags & EV_CLEAR;
        if (r->enabled) {
            ev.events |= EPOLLIN | EPOLLRDHUP;
        }
    }
    if (w != NULL) {
        clear |= w->flags & EV_CLEAR;
        if (w->enabled) {
            ev.events |= EPOLLOUT;
        }
    }
    if (clear) {
        ev.events |= EPOLLET;
    }
    if (r == NULL && w == NULL) {
        if (epoll_ctl(k->epfd, EPOLL_CTL_DEL, fd, NULL) != 0 && errno != EBADF && errno != ENOENT) {
            return errno;
        }
        return 0;
    }
    int op = existed_before ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(k->epfd, op, fd, &ev) != 0) {
        if (op == EPOLL_CTL_MOD && errno == ENOENT) {
            return epoll_ctl(k->epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : errno;
        }
        return errno;
    }
    return 0;
}

/* Room for one more knote at the end of the table; NULL when it cannot grow. */
static struct knote *new_note(struct kq *k) {
    if (k->count == k->cap) {
        int cap = k->cap ? k->cap * 2 : 16;
        struct knote *notes = realloc(k->notes, cap * sizeof(*notes));
        if (notes == NULL) {
            return NULL;
        }
        k->notes = notes;
        k->cap = cap;
    }
    return &k->notes[k->count++];
}

/* A knote for change `c` watching `fd` (a pidfd or eventfd it owns from now on), in epoll as `tag | ident`. */
static int add_fd_note(struct kq *k, const struct kevent *c, int fd, uint64_t tag, uint16_t kept_flags,
                       uint32_t fflags) {
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag | (uint64_t) c->ident};
    if (epoll_ctl(k->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        int e = errno;
        close(fd);
        return e;
    }
    struct knote *n = new_note(k);
    if (n == NULL) {
        epoll_ctl(k->epfd, EPOLL_CTL_DEL, fd, NULL);
        close(fd);
        return ENOMEM;
    }
    *n = (struct knote){c->ident, c->filter, (uint16_t) (c->flags & kept_flags), fflags, c->udata,
                        !(c->flags & EV_DISABLE), fd};
    return 0;
}

/* Applies one change; returns 0 or an errno. */
static int apply(struct kq *k, const struct kevent *c) {
    struct knote *n = find(k, c->ident, c->filter);
    if (c->filter != EVFILT_READ && c->filter != EVFILT_WRITE && c->filter != EVFILT_PROC && c->filter != EVFILT_USER) {
        return EINVAL;
    }
    if (c->flags & EV_DELETE) {
        if (n == NULL) {
            return ENOENT;
        }
        int fd = (int) n->ident;
        int16_t filter = n->filter;
        remove_note(k, n);
        return filter == EVFILT_PROC || filter == EVFILT_USER ? 0 : sync_fd(k, fd, 1);
    }
    if (c->filter == EVFILT_USER) {
        if (n == NULL) {
            if (!(c->flags & EV_ADD)) {
                return ENOENT;
            }
            int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
            if (efd < 0) {
                return errno;
            }
            int err = add_fd_note(k, c, efd, USER_TAG, EV_ONESHOT | EV_DISPATCH | EV_CLEAR, c->fflags & NOTE_FFLAGSMASK);
            if (err != 0) {
                return err;
            }
            n = find(k, c->ident, EVFILT_USER);
        } else if (c->flags & EV_ADD) {
            n->udata = c->udata;
            n->flags = c->flags & (EV_ONESHOT | EV_DISPATCH | EV_CLEAR);
        }
        if (c->flags & EV_ENABLE) {
            n->enabled = 1;
        }
        if (c->flags & EV_DISABLE) {
            n->enabled = 0;
        }
        if (c->fflags & NOTE_TRIGGER) {
            uint64_t one = 1;
            if (write(n->pidfd, &one, sizeof(one)) < 0 && errno != EAGAIN) {
                return errno;
            }
        }
        return 0;
    }
    if (c->filter == EVFILT_PROC) {
        if (!(c->flags & EV_ADD)) {
            if (n == NULL) {
                return ENOENT;
            }
            if (c->flags & (EV_ENABLE | EV_DISABLE)) {
                n->enabled = (c->flags & EV_ENABLE) != 0;
            }
            return 0;
        }
        if (n != NULL) {
            n->udata = c->udata;
            n->fflags = c->fflags;
            return 0;
        }
        int pidfd = (int) syscall(SYS_pidfd_open, (pid_t) c->ident, 0);
        if (pidfd < 0) {
            return errno; /* ESRCH: no such process, as kqueue says */
        }
        return add_fd_note(k, c, pidfd, PROC_TAG, EV_ONESHOT | EV_DISPATCH, c->fflags);
    }
    int fd = (int) c->ident;
    int existed = find(k, (uintptr_t) fd, EVFILT_READ) != NULL || find(k, (uintptr_t) fd, EVFILT_WRITE) != NULL;
    if (c->flags & EV_ADD) {
        if (n == NULL) {
            if (fcntl(fd, F_GETFD) < 0) {
                return EBADF;
            }
            n = new_note(k);
            if (n == NULL) {
                return ENOMEM;
            }
            *n = (struct knote){c->ident, c->filter, 0, c->fflags, c->udata, 1, -1};
        }
        n->udata = c->udata;
        n->flags = c->flags & (EV_ONESHOT | EV_DISPATCH | EV_CLEAR);
        n->enabled = !(c->flags & EV_DISABLE);
    } else if (n == NULL) {
        return ENOENT;
    }
    if (c->flags & EV_ENABLE) {
        n->enabled = 1;
    }
    if (c->flags & EV_DISABLE) {
        n->enabled = 0;
    }
    int err = sync_fd(k, fd, existed);
    if (err != 0 && (c->flags & EV_ADD) && !existed) {
        remove_note(k, find(k, c->ident, c->filter)); /* a failed EV_ADD leaves nothing behind */
    }
    return err;
}

static void fill(struct kevent *out, uintptr_t ident, int16_t filter, uint16_t flags, uint32_t fflags, int64_t data,
                 void *udata) {
    memset(out, 0, sizeof(*out));
    out->ident = ident;
    out->filter = filter;
    out->flags = flags;
    out->fflags = fflags;
    out->data = (intptr_t) data;
    out->udata = udata;
}

/* After a knote fired: EV_ONESHOT deletes it, EV_DISPATCH disables it. */
static void fired(struct kq *k, struct knote *n) {
    int fd = (int) n->ident;
    if (n->filter == EVFILT_USER) {
        if (n->flags & EV_ONESHOT) {
            remove_note(k, n);
        } else if (n->flags & EV_DISPATCH) {
            n->enabled = 0;
        }
        return;
    }
    if (n->flags & EV_ONESHOT) {
        remove_note(k, n);
        sync_fd(k, fd, 1);
    } else if (n->flags & EV_DISPATCH) {
        n->enabled = 0;
        sync_fd(k, fd, 1);
    }
}

static int wait_events(int epfd, struct epoll_event *evs, int max, const struct timespec *timeout) {
    if (timeout == NULL) {
        return epoll_wait(epfd, evs, max, -1);
    }
#ifdef SYS_epoll_pwait2
    int r = (int) syscall(SYS_epoll_pwait2, epfd, evs, max, timeout, NULL, 0);
    if (r >= 0 || errno != ENOSYS) {
        return r;
    }
#endif
    long long ms = (long long) timeout->tv_sec * 1000 + (timeout->tv_nsec + 999999) / 1000000;
    return epoll_wait(epfd, evs, max, ms > 0x7fffffff ? 0x7fffffff : (int) ms);
}

int kevent(int kqfd, const struct kevent *changelist, int nchanges, struct kevent *eventlist, int nevents,
           const struct timespec *timeout) {
    if (nchanges < 0 || nevents < 0) {
        errno = EINVAL;
        return -1;
    }
    pthread_mutex_lock(&lock);
    struct kq *k = kq_of(kqfd, 0);
    if (k == NULL || fcntl(kqfd, F_GETFD) < 0) {
        pthread_mutex_unlock(&lock);
        errno = EBADF;
        return -1;
    }
    int out = 0;
    for (int i = 0; i < nchanges; i++) {
        int err = apply(k, &changelist[i]);
        if (err != 0 || (changelist[i].flags & EV_RECEIPT)) {
            if (out < nevents) {
                fill(&eventlist[out++], changelist[i].ident, changelist[i].filter, EV_ERROR, 0, err,
                     changelist[i].udata);
            } else if (err != 0) {
                pthread_mutex_unlock(&lock);
                errno = err;
                return -1;
            }
        }
    }
    pthread_mutex_unlock(&lock);
    if (out > 0 || nevents == 0) {
        return out; /* errors and receipts are returned at once, as kqueue does */
    }
    int max = nevents < 512 ? nevents : 512;
    struct epoll_event evs[512];
    int n;
    do {
        n = wait_events(k->epfd, evs, max, timeout);
    } while (n < 0 && errno == EINTR && timeout == NULL);
    if (n < 0) {
        return -1;
    }
    pthread_mutex_lock(&lock);
    k = kq_of(kqfd, 0);
    for (int i = 0; i < n && k != NULL; i++) {
        uint64_t data = evs[i].data.u64;
        uint32_t e = evs[i].events;
        if (data & USER_TAG) {
            uintptr_t ident = (uintptr_t) (data & ~USER_TAG);
            struct knote *u = find(k, ident, EVFILT_USER);
            if (u == NULL || !u->enabled || out >= nevents) {
                continue;
            }
            fill(&eventlist[out++], ident, EVFILT_USER, 0, u->fflags, 0, u->udata);
            if (u->flags & EV_CLEAR) {
                uint64_t count;
                while (read(u->pidfd, &count, sizeof(count)) > 0) {
                }
            }
            fired(k, u);
            continue;
        }
        if (data & PROC_TAG) {
            uintptr_t pid = (uintptr_t) (data & ~PROC_TAG);
            struct knote *p = find(k, pid, EVFILT_PROC);
            if (p == NULL || !p->enabled || out >= nevents) {
                continue;
            }
            siginfo_t si;
            memset(&si, 0, sizeof(si));
            int64_t status = 0;
            if (waitid(P_PIDFD, (id_t) p->pidfd, &si, WEXITED | WNOWAIT | WNOHANG) == 0) {
                status = si.si_code == CLD_EXITED ? (si.si_status & 0xff) << 8 : (si.si_status & 0x7f);
            }
            fill(&eventlist[out++], pid, EVFILT_PROC, EV_EOF | EV_ONESHOT, NOTE_EXIT & p->fflags, status, p->udata);
            remove_note(k, p); /* a process exits once: the knote is gone */
            continue;
        }
        int fd = (int) data;
        struct knote *r = find(k, (uintptr_t) fd, EVFILT_READ);
        if (r != NULL && r->enabled && (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) && out < nevents) {
            int avail = 0;
            ioctl(fd, FIONREAD, &avail);
            /* kqueue puts the socket error in fflags without clearing it; Linux's SO_ERROR would clear it (and
             * the next read would then see EOF instead of ECONNRESET), so the emulation leaves fflags 0. */
            uint16_t flags = (e & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) ? EV_EOF : 0;
            fill(&eventlist[out++], (uintptr_t) fd, EVFILT_READ, flags, 0, avail, r->udata);
            fired(k, r);
        }
        struct knote *w = find(k, (uintptr_t) fd, EVFILT_WRITE);
        if (w != NULL && w->enabled && (e & (EPOLLOUT | EPOLLHUP | EPOLLERR)) && out < nevents) {
            int space = 0;
            int sndbuf = 0;
            socklen_t len = sizeof(sndbuf);
            int queued = 0;
            if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len) == 0 && ioctl(fd, SIOCOUTQ, &queued) == 0) {
                space = sndbuf > queued ? sndbuf - queued : 0;
            }
            uint16_t flags = (e & (EPOLLHUP | EPOLLERR)) ? EV_EOF : 0;
            fill(&eventlist[out++], (uintptr_t) fd, EVFILT_WRITE, flags, 0, space, w->udata);
            fired(k, w);
        }
    }
    pthread_mutex_unlock(&lock);
    return out;
}
