package dev.loop.internal.selector;

import static dev.loop.internal.nativeio.Linux.EPOLLIN;
import static dev.loop.internal.nativeio.Linux.EPOLLOUT;
import static dev.loop.internal.nativeio.Linux.EPOLLRDHUP;
import static dev.loop.internal.nativeio.Linux.EPOLL_EVENT_DATA_OFFSET;
import static dev.loop.internal.nativeio.Linux.EPOLL_EVENT_SIZE;

import java.nio.ByteBuffer;

import dev.loop.NativeException;
import dev.loop.PollerKind;
import dev.loop.internal.nativeio.Waker;
import dev.loop.internal.nativeio.Descriptors;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.nativeio.NativeMemory;

/**
 * Linux epoll, level-triggered. Sub-millisecond timeouts: {@code epoll_pwait2} (5.11+) with a
 * nanosecond timespec when the kernel has it (probed by calling it), else a timerfd armed for the
 * exact deadline next to {@code epoll_wait}, else whole milliseconds rounded up.
 */
public final class EpollPoller implements Poller {

    /** How timeouts finer than a millisecond are achieved. */
    public enum TimeoutMode {
        /** The best this kernel offers: epoll_pwait2, else timerfd. */
        AUTO,
        /** epoll_pwait2 with a timespec (fails at construction if the kernel lacks it). */
        PWAIT2,
        /** A timerfd armed for the deadline, next to epoll_wait. */
        TIMERFD,
        /** epoll_wait's milliseconds, rounded up: no sub-millisecond timers. */
        MILLIS
    }

    private static final int INITIAL_EVENTS = 256;
    private static final int MAX_EVENTS = 16 * 1024;

    private final int epfd;
    private final Waker waker;
    private final TimeoutMode mode;
    private final int timerFd;
    private final NativeMemory ctlEvent = new NativeMemory(EPOLL_EVENT_SIZE);
    private final NativeMemory timespec = new NativeMemory(Linux.ITIMERSPEC_SIZE);
    private NativeMemory events;
    private ByteBuffer eventsView;
    private int maxEvents;
    private boolean timerArmed;
    private boolean closed;

    public EpollPoller() {
        this(TimeoutMode.AUTO);
    }

    public EpollPoller(TimeoutMode requested) {
        int fd = LibC.epoll_create1(Linux.EPOLL_CLOEXEC);
        if (fd < 0) {
            throw new NativeException("epoll_create1", LibC.errno());
        }
        this.epfd = fd;
        Waker w = null;
        int tfd = -1;
        try {
            allocateEvents(INITIAL_EVENTS);
            w = new Waker();
            ctl(Linux.EPOLL_CTL_ADD, w.fd(), EPOLLIN);
            TimeoutMode m = requested;
            if (m == TimeoutMode.AUTO) {
                m = pwait2Works() ? TimeoutMode.PWAIT2 : TimeoutMode.TIMERFD;
            } else if (m == TimeoutMode.PWAIT2 && !pwait2Works()) {
                throw new NativeException("epoll_pwait2", Errno.ENOSYS, "the kernel has no epoll_pwait2 (Linux 5.11+)");
            }
            if (m == TimeoutMode.TIMERFD) {
                tfd = LibC.timerfd_create(Linux.CLOCK_MONOTONIC, Linux.TFD_CLOEXEC | Linux.TFD_NONBLOCK);
                if (tfd < 0) {
                    throw new NativeException("timerfd_create", LibC.errno());
                }
                ctl(Linux.EPOLL_CTL_ADD, tfd, EPOLLIN);
            }
            this.mode = m;
            this.timerFd = tfd;
            this.waker = w;
        } catch (RuntimeException e) {
            if (w != null) {
                w.close();
            }
            Descriptors.closeQuietly(tfd);
            LibC.close(fd);
            freeBuffers();
            throw e;
        }
    }

    /** Probes epoll_pwait2 by calling it with a zero timeout. */
    private boolean pwait2Works() {
        timespec.clear();
        long rc = LibC.syscall(Linux.SYS_EPOLL_PWAIT2, epfd, events.address(), maxEvents, timespec.address(), 0, 8);
        return rc >= 0 || LibC.errno() != Errno.ENOSYS && LibC.errno() != Errno.EPERM;
    }

    public TimeoutMode timeoutMode() {
        return mode;
    }

    @Override
    public PollerKind kind() {
        return PollerKind.EPOLL;
    }

    @Override
    public void register(int fd, int interest) {
        int errno = ctlOrErrno(Linux.EPOLL_CTL_ADD, fd, toEpoll(interest));
        if (errno == Errno.EEXIST) {
            ctl(Linux.EPOLL_CTL_MOD, fd, toEpoll(interest));
        } else if (errno == Errno.EPERM) {
            throw new IllegalArgumentException("descriptor " + fd + " cannot be polled (epoll_ctl: EPERM): it is always "
                    + "ready, like a regular file or /dev/null");
        } else if (errno == Errno.EBADF) {
            throw new IllegalArgumentException("Invalid file descriptor: " + fd + " is not open (EBADF)");
        } else if (errno != 0) {
            throw new NativeException("epoll_ctl", errno, "descriptor " + fd);
        }
    }

    @Override
    public void modify(int fd, int interest) {
        // ENOENT: the descriptor was closed (epoll dropped it) and the number reused; add it again.
        if (ctlOrErrno(Linux.EPOLL_CTL_MOD, fd, toEpoll(interest)) == Errno.ENOENT) {
            ctl(Linux.EPOLL_CTL_ADD, fd, toEpoll(interest));
        }
    }

    @Override
    public void deregister(int fd) {
        // ENOENT/EBADF: closed meanwhile; epoll already forgot it.
        ctlOrErrno(Linux.EPOLL_CTL_DEL, fd, 0);
    }

    private static int toEpoll(int interest) {
        return ((interest & READ) != 0 ? EPOLLIN | EPOLLRDHUP : 0) | ((interest & WRITE) != 0 ? EPOLLOUT : 0);
    }

    private void ctl(int op, int fd, int ev) {
        int errno = ctlOrErrno(op, fd, ev);
        if (errno != 0) {
            throw new NativeException("epoll_ctl", errno, "descriptor " + fd);
        }
    }

    /** epoll_ctl; returns 0 or the errno. */
    private int ctlOrErrno(int op, int fd, int ev) {
        ByteBuffer b = ctlEvent.buffer();
        b.putInt(0, ev);
        b.putLong(EPOLL_EVENT_DATA_OFFSET, 0L);
        b.putInt(EPOLL_EVENT_DATA_OFFSET, fd);
        return LibC.epoll_ctl(epfd, op, fd, ctlEvent.address()) == 0 ? 0 : LibC.errno();
    }

    @Override
    public int poll(long timeoutNanos, long nowNanos, Sink sink) {
        int n = TimeoutClock.waitRetryingEintr(timeoutNanos, nowNanos, waitOnce, "epoll_wait");
        int reported = dispatch(n, sink);
        if (n == maxEvents && maxEvents < MAX_EVENTS) {
            allocateEvents(maxEvents * 2);
        }
        return reported;
    }

    private final TimeoutClock.Wait waitOnce = this::waitOnce;

    private int waitOnce(long timeoutNanos) {
        if (timeoutNanos <= 0 || mode == TimeoutMode.MILLIS || timeoutNanos % TimeoutClock.NANOS_PER_MILLI == 0) {
            disarmTimer();
            return LibC.epoll_wait(epfd, events.address(), maxEvents, TimeoutClock.millisRoundedUp(timeoutNanos));
        }
        if (mode == TimeoutMode.PWAIT2) {
            TimeoutClock.putTimespec(timespec.buffer(), 0, timeoutNanos);
            return (int) LibC.syscall(Linux.SYS_EPOLL_PWAIT2, epfd, events.address(), maxEvents, timespec.address(), 0, 8);
        }
        // TIMERFD: the timerfd fires at the exact time; epoll_wait's rounded-up timeout is the backstop.
        ByteBuffer its = timespec.buffer();
        its.putLong(0, 0).putLong(8, 0);
        TimeoutClock.putTimespec(its, 16, timeoutNanos); // it_value; it_interval stays zero
        if (LibC.timerfd_settime(timerFd, 0, timespec.address(), 0) != 0) {
            throw new NativeException("timerfd_settime", LibC.errno());
        }
        timerArmed = true;
        return LibC.epoll_wait(epfd, events.address(), maxEvents, TimeoutClock.millisRoundedUp(timeoutNanos));
    }

    private void disarmTimer() {
        if (timerArmed) {
            timespec.clear();
            LibC.timerfd_settime(timerFd, 0, timespec.address(), 0);
            timerArmed = false;
        }
    }

    private int dispatch(int n, Sink sink) {
        ByteBuffer b = eventsView;
        int wakeFd = waker.fd();
        int reported = 0;
        for (int i = 0; i < n; i++) {
            int base = i * EPOLL_EVENT_SIZE;
            int ev = b.getInt(base);
            int fd = b.getInt(base + EPOLL_EVENT_DATA_OFFSET);
            if (fd == wakeFd) {
                waker.drain();
            } else if (fd == timerFd) {
                waker.drainOther(timerFd);
                timerArmed = false;
            } else {
                sink.ready(fd, ReadyOps.of(ev));
                reported++;
            }
        }
        return reported;
    }

    private void allocateEvents(int capacity) {
        NativeMemory old = events;
        events = new NativeMemory((long) capacity * EPOLL_EVENT_SIZE);
        eventsView = events.buffer();
        maxEvents = capacity;
        if (old != null) {
            old.close();
        }
    }

    @Override
    public void wakeup() {
        waker.wake();
    }

    @Override
    public long timeoutGranularityNanos() {
        return mode == TimeoutMode.MILLIS ? TimeoutClock.NANOS_PER_MILLI : 1;
    }

    @Override
    public String timeoutMechanism() {
        return switch (mode) {
            case PWAIT2 -> "epoll_pwait2";
            case TIMERFD -> "timerfd";
            default -> "epoll_wait (milliseconds)";
        };
    }

    @Override
    public int descriptorLimit() {
        return Integer.MAX_VALUE;
    }

    @Override
    public int ownDescriptors() {
        return timerFd >= 0 ? 3 : 2;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        waker.close();
        Descriptors.closeQuietly(timerFd);
        LibC.close(epfd);
        freeBuffers();
    }

    private void freeBuffers() {
        ctlEvent.close();
        timespec.close();
        if (events != null) {
            events.close();
        }
    }
}
