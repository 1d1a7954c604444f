package dev.loop.internal.selector;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;

import dev.loop.NativeException;
import dev.loop.PollerKind;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.Kevent;
import dev.loop.internal.nativeio.Kqueue;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.NativeMemory;
import dev.loop.platform.Os;

/**
 * kqueue, the readiness mechanism of macOS and the BSDs (asyncio's {@code KqueueSelector}): one
 * {@code EVFILT_READ} and one {@code EVFILT_WRITE} knote per descriptor and direction, level-triggered
 * (no {@code EV_CLEAR}), waits with a nanosecond {@code timespec}. Changes are sent with
 * {@code EV_RECEIPT}, so each comes back with its own result and a failure names its descriptor. Other
 * threads wake it with an {@code EVFILT_USER} event ({@code NOTE_TRIGGER}, reset by {@code EV_CLEAR}).
 *
 * <p>{@code struct kevent} is laid out per OS ({@link Kevent}: 32 bytes on macOS, 64 on FreeBSD 12+),
 * chosen at run time ({@link #layout()}). The calls are {@link Kqueue}'s: the C library's, or on
 * Linux, in tests, an emulation on epoll ({@code src/test/native/kqshim.c}, FreeBSD layout unless
 * {@link Kevent#LAYOUT_PROPERTY} says {@code macos}).
 * This poller has been run against that emulation only, not yet on a real macOS or FreeBSD kernel.
 * Process exit ({@code EVFILT_PROC}, {@code NOTE_EXIT}) is watched through {@link #watchExit}.
 */
public final class KqueuePoller implements Poller {

    private static final int MAX_EVENTS = 1024;
    /** The ident of the wake-up's EVFILT_USER event. */
    private static final int WAKE_IDENT = 0;

    private final Kevent layout;
    private final int kq;
    /** The NOTE_TRIGGER change, used by {@link #wakeup()} under its own lock (any thread). */
    private final NativeMemory wakeChange;
    private final Object wakeLock = new Object();
    private final NativeMemory changes;
    private final NativeMemory receipts;
    private final NativeMemory events;
    private final NativeMemory timespec = new NativeMemory(16);
    /** The interest registered for each descriptor (READ | WRITE bits), 0 when none. */
    private int[] interests = new int[256];
    private volatile boolean closed;

    public KqueuePoller() {
        this.layout = layout();
        int fd = Kqueue.Calls.kqueue();
        if (fd < 0) {
            throw new NativeException("kqueue", LibC.errno());
        }
        this.kq = fd;
        this.changes = new NativeMemory(2L * layout.size);
        this.receipts = new NativeMemory(2L * layout.size);
        this.events = new NativeMemory((long) MAX_EVENTS * layout.size);
        this.wakeChange = new NativeMemory(layout.size);
        layout.put(wakeChange.buffer(), 0, WAKE_IDENT, layout.evfiltUser, (short) 0, Kevent.NOTE_TRIGGER, 0, 0);
        ByteBuffer c = changes.buffer();
        layout.put(c, 0, WAKE_IDENT, layout.evfiltUser, (short) (Kevent.EV_ADD | Kevent.EV_CLEAR | Kevent.EV_RECEIPT), 0,
                0, 0);
        int errno = applyChanges(1);
        if (errno != 0) {
            LibC.close(kq);
            freeBuffers();
            throw new NativeException("kevent(EVFILT_USER)", errno);
        }
    }

    /** {@link Kevent#LAYOUT_PROPERTY}, else this OS's layout (FreeBSD's for an emulation on Linux). */
    public static Kevent layout() {
        String configured = System.getProperty(Kevent.LAYOUT_PROPERTY);
        if (configured != null) {
            return Kevent.valueOf(configured.toUpperCase(Locale.ROOT));
        }
        return Os.current() == Os.MACOS ? Kevent.MACOS : Kevent.FREEBSD;
    }

    @Override
    public PollerKind kind() {
        return PollerKind.KQUEUE;
    }

    @Override
    public void register(int fd, int interest) {
        modify(fd, interest);
    }

    @Override
    public void modify(int fd, int interest) {
        int old = fd < interests.length ? interests[fd] : 0;
        int errno = change(fd, interest, old);
        if (errno == Errno.EBADF) {
            throw new IllegalArgumentException("Invalid file descriptor: " + fd + " is not open (EBADF)");
        }
        if (errno != 0) {
            throw new NativeException("kevent", errno, "descriptor " + fd);
        }
        if (fd >= interests.length) {
            interests = Arrays.copyOf(interests, Math.max(fd + 1, interests.length * 2));
        }
        interests[fd] = interest;
    }

    @Override
    public void deregister(int fd) {
        int old = fd < interests.length ? interests[fd] : 0;
        if (old != 0) {
            interests[fd] = 0;
            change(fd, 0, old); // ENOENT/EBADF: closed meanwhile, kqueue already dropped its knotes
        }
    }

    /**
     * Adds the filters of {@code interest} missing from {@code old} and deletes those no longer wanted,
     * in one kevent call with receipts; returns 0 or the first errno of an addition.
     */
    private int change(int fd, int interest, int old) {
        ByteBuffer c = changes.buffer();
        int n = 0;
        for (int bit : new int[] {READ, WRITE}) {
            short filter = bit == READ ? Kevent.EVFILT_READ : Kevent.EVFILT_WRITE;
            boolean want = (interest & bit) != 0;
            boolean had = (old & bit) != 0;
            if (want && !had) {
                layout.put(c, n++, fd, filter, (short) (Kevent.EV_ADD | Kevent.EV_RECEIPT), 0, 0, 0);
            } else if (!want && had) {
                layout.put(c, n++, fd, filter, (short) (Kevent.EV_DELETE | Kevent.EV_RECEIPT), 0, 0, 0);
            }
        }
        if (n == 0) {
            return 0;
        }
        return applyChanges(n);
    }

    /**
     * Sends the first {@code n} entries of {@link #changes} (each with {@code EV_RECEIPT}); returns 0, or
     * the first errno of a change that is not a deletion (a deletion's ENOENT/EBADF only means the
     * descriptor was closed meanwhile and kqueue dropped its knote already).
     */
    private int applyChanges(int n) {
        int got = Kqueue.Calls.kevent(kq, changes.address(), n, receipts.address(), n, 0);
        if (got < 0) {
            return LibC.errno();
        }
        if (got != n) {
            return Errno.EINVAL; // every change asks for a receipt: fewer means the kernel ignored EV_RECEIPT
        }
        ByteBuffer c = changes.buffer();
        ByteBuffer r = receipts.buffer();
        for (int i = 0; i < got; i++) {
            long errno = layout.data(r, i);
            boolean deletion = (layout.flags(c, i) & Kevent.EV_DELETE) != 0;
            if (errno != 0 && !deletion) {
                return (int) errno;
            }
        }
        return 0;
    }

    @Override
    public int poll(long timeoutNanos, long nowNanos, Sink sink) {
        int n = TimeoutClock.waitRetryingEintr(timeoutNanos, nowNanos, waitOnce, "kevent");
        ByteBuffer e = events.buffer();
        int reported = 0;
        for (int i = 0; i < n; i++) {
            int fd = (int) layout.ident(e, i);
            short filter = layout.filter(e, i);
            if (filter == layout.evfiltUser) {
                continue; // the wake-up; EV_CLEAR reset it
            }
            if (filter == Kevent.EVFILT_PROC) {
                sink.exited(fd);
                reported++;
            } else if (filter == Kevent.EVFILT_READ) {
                sink.ready(fd, READ);
                reported++;
            } else if (filter == Kevent.EVFILT_WRITE) {
                sink.ready(fd, WRITE);
                reported++;
            }
        }
        return reported;
    }

    private final TimeoutClock.Wait waitOnce = this::waitOnce;

    /** One kevent wait with a nanosecond timespec ({@code < 0}: no limit). */
    private int waitOnce(long timeoutNanos) {
        long ts = 0;
        if (timeoutNanos >= 0) {
            TimeoutClock.putTimespec(timespec.buffer(), 0, timeoutNanos);
            ts = timespec.address();
        }
        return Kqueue.Calls.kevent(kq, 0, 0, events.address(), MAX_EVENTS, ts);
    }

    @Override
    public void wakeup() {
        synchronized (wakeLock) {
            if (!closed && Kqueue.Calls.kevent(kq, wakeChange.address(), 1, 0, 0, 0) < 0) {
                throw new NativeException("kevent(NOTE_TRIGGER)", LibC.errno());
            }
        }
    }

    /**
     * Watches process {@code pid} for its exit ({@code EVFILT_PROC}, {@code NOTE_EXIT}): reported once
     * through {@link Sink#exited}, without reaping it. Returns false when the process does not exist
     * (ESRCH: it exited and was reaped already).
     */
    @Override
    public boolean watchExit(int pid) {
        layout.put(changes.buffer(), 0, pid, Kevent.EVFILT_PROC, (short) (Kevent.EV_ADD | Kevent.EV_RECEIPT),
                Kevent.NOTE_EXIT, 0, 0);
        int errno = applyChanges(1);
        if (errno == Errno.ESRCH) {
            return false;
        }
        if (errno != 0) {
            throw new NativeException("kevent(EVFILT_PROC)", errno, "pid " + pid);
        }
        return true;
    }

    @Override
    public void unwatchExit(int pid) {
        layout.put(changes.buffer(), 0, pid, Kevent.EVFILT_PROC, (short) (Kevent.EV_DELETE | Kevent.EV_RECEIPT), 0, 0, 0);
        applyChanges(1); // ENOENT: reported already, kqueue dropped the knote
    }

    @Override
    public boolean watchesExits() {
        return true;
    }

    @Override
    public long timeoutGranularityNanos() {
        return 1;
    }

    @Override
    public String timeoutMechanism() {
        return "kevent timespec";
    }

    @Override
    public int descriptorLimit() {
        return Integer.MAX_VALUE;
    }

    @Override
    public int ownDescriptors() {
        return 1; // the kqueue (an emulation may hold more, which it owns)
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        synchronized (wakeLock) {
            closed = true; // no wakeup() reaches a closed (or reused) descriptor number
        }
        // Closing the kqueue drops its knotes anyway; deleting the user event first also lets an emulation
        // that holds a descriptor for it (the Linux test shim) release that descriptor.
        layout.put(changes.buffer(), 0, WAKE_IDENT, layout.evfiltUser, (short) (Kevent.EV_DELETE | Kevent.EV_RECEIPT), 0,
                0, 0);
        applyChanges(1);
        LibC.close(kq);
        freeBuffers();
    }

    private void freeBuffers() {
        wakeChange.close();
        changes.close();
        receipts.close();
        events.close();
        timespec.close();
    }
}
