package dev.loop.selector;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

import dev.loop.NativeException;
import dev.loop.PollerKind;
import dev.loop.nativeio.Errno;
import dev.loop.nativeio.Kevent;
import dev.loop.nativeio.LibC;
import dev.loop.nativeio.NativeMemory;
import dev.loop.platform.Os;

/**
 * kqueue, the readiness mechanism of macOS and the BSDs (asyncio's {@code KqueueSelector}): one
 * {@code EVFILT_READ} and one {@code EVFILT_WRITE} knote per descriptor and direction, level-triggered
 * (no {@code EV_CLEAR}), waits with a nanosecond {@code timespec}. Changes are sent with
 * {@code EV_RECEIPT}, so each comes back with its own result and a failure names its descriptor.
 *
 * <p>{@code struct kevent} is laid out per OS ({@link Kevent}: 32 bytes on macOS, 64 on FreeBSD 12+),
 * chosen at run time. The functions come from the C library, or from the library named by
 * {@value #LIBRARY_PROPERTY}: on Linux, tests point it at an emulation on epoll
 * ({@code src/test/native/kqshim.c}, FreeBSD layout unless {@value #LAYOUT_PROPERTY} says {@code macos}).
 * This poller has been run against that emulation only, not yet on a real macOS or FreeBSD kernel.
 */
public final class KqueuePoller implements Poller {

    /** System property: the library exporting {@code kqueue} and {@code kevent} (default: the C library). */
    public static final String LIBRARY_PROPERTY = "dev.loop.kqueue.library";
    /** System property: {@code macos} or {@code freebsd}, the {@code struct kevent} layout (default: from the OS). */
    public static final String LAYOUT_PROPERTY = "dev.loop.kqueue.layout";

    private static final int MAX_EVENTS = 1024;

    /** Direct mapping to the configured library (registered once per JVM, at first use). */
    static final class Calls {
        static {
            Native.register(Calls.class, NativeLibrary.getInstance(libraryName()));
        }

        static native int kqueue();

        static native int kevent(int kq, long changelist, int nchanges, long eventlist, int nevents, long timeout);

        private Calls() {
        }
    }

    private final Kevent layout;
    private final int kq;
    private final Waker waker;
    private final NativeMemory changes;
    private final NativeMemory receipts;
    private final NativeMemory events;
    private final NativeMemory timespec = new NativeMemory(16);
    /** The interest registered for each descriptor (READ | WRITE bits), 0 when none. */
    private int[] interests = new int[256];
    private boolean closed;

    public KqueuePoller() {
        this.layout = layout();
        int fd = Calls.kqueue();
        if (fd < 0) {
            throw new NativeException("kqueue", LibC.errno());
        }
        this.kq = fd;
        this.changes = new NativeMemory(2L * layout.size);
        this.receipts = new NativeMemory(2L * layout.size);
        this.events = new NativeMemory((long) MAX_EVENTS * layout.size);
        Waker w = null;
        try {
            w = new Waker();
            change(w.fd(), READ, 0);
        } catch (RuntimeException e) {
            if (w != null) {
                w.close();
            }
            LibC.close(kq);
            freeBuffers();
            throw e;
        }
        this.waker = w;
    }

    /** The library named by {@value #LIBRARY_PROPERTY}, or the C library. */
    static String libraryName() {
        return System.getProperty(LIBRARY_PROPERTY, com.sun.jna.Platform.C_LIBRARY_NAME);
    }

    /** Whether an emulation library was configured (how Linux gets a kqueue: tests only). */
    public static boolean emulationConfigured() {
        return System.getProperty(LIBRARY_PROPERTY) != null;
    }

    /** The kevent layout: {@value #LAYOUT_PROPERTY}, else the OS's (FreeBSD's for emulations on Linux). */
    public static Kevent layout() {
        String configured = System.getProperty(LAYOUT_PROPERTY);
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
        int got = Calls.kevent(kq, changes.address(), n, receipts.address(), n, 0);
        if (got < 0) {
            return LibC.errno();
        }
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
        boolean infinite = timeoutNanos < 0;
        long deadline = nowNanos + Math.max(0, timeoutNanos);
        long remaining = timeoutNanos;
        int n;
        while (true) {
            long ts = 0;
            if (remaining >= 0) {
                TimeoutClock.putTimespec(timespec.buffer(), 0, remaining);
                ts = timespec.address();
            }
            n = Calls.kevent(kq, 0, 0, events.address(), MAX_EVENTS, ts);
            if (n >= 0) {
                break;
            }
            int errno = LibC.errno();
            if (errno != Errno.EINTR) {
                throw new NativeException("kevent", errno);
            }
            remaining = TimeoutClock.remaining(deadline, infinite);
        }
        ByteBuffer e = events.buffer();
        int wakeFd = waker.fd();
        int reported = 0;
        for (int i = 0; i < n; i++) {
            int fd = (int) layout.ident(e, i);
            if (fd == wakeFd) {
                waker.drain();
                continue;
            }
            short filter = layout.filter(e, i);
            if (filter == Kevent.EVFILT_READ) {
                sink.ready(fd, READ);
                reported++;
            } else if (filter == Kevent.EVFILT_WRITE) {
                sink.ready(fd, WRITE);
                reported++;
            }
        }
        return reported;
    }

    @Override
    public void wakeup() {
        waker.wake();
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
        return 2;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        waker.close();
        LibC.close(kq);
        freeBuffers();
    }

    private void freeBuffers() {
        changes.close();
        receipts.close();
        events.close();
        timespec.close();
    }
}
