package dev.loop.internal.selector;

import static dev.loop.internal.nativeio.Linux.FD_SETSIZE;
import static dev.loop.internal.nativeio.Linux.FD_SET_SIZE_BYTES;

import java.nio.ByteBuffer;
import java.util.Arrays;

import dev.loop.NativeException;
import dev.loop.PollerKind;
import dev.loop.internal.nativeio.Waker;
import dev.loop.internal.nativeio.Descriptors;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.nativeio.NativeMemory;

/**
 * POSIX select with bit-exact {@code fd_set}s: bit n lives in 64-bit word n/64, bit n%64. The sets are
 * exactly FD_SETSIZE bits; a descriptor at or above FD_SETSIZE is refused before any bit is touched
 * (the loop checks the capability first, and this class checks again), never written past the set.
 * When select fails with EBADF, the closed descriptors are found with {@code fcntl(F_GETFD)}, dropped
 * and reported, so one closed descriptor does not make every later select fail.
 */
public final class SelectPoller implements Poller {

    private final Waker waker;
    private final NativeMemory readMaster = new NativeMemory(FD_SET_SIZE_BYTES);
    private final NativeMemory writeMaster = new NativeMemory(FD_SET_SIZE_BYTES);
    private final NativeMemory readWork = new NativeMemory(FD_SET_SIZE_BYTES);
    private final NativeMemory writeWork = new NativeMemory(FD_SET_SIZE_BYTES);
    private final NativeMemory timeval = new NativeMemory(Linux.TIMEVAL_SIZE);
    /** Interest per descriptor (0: not registered). */
    private final int[] interest = new int[FD_SETSIZE];
    private int maxFd;
    private int registered;

    public SelectPoller() {
        this.waker = new Waker();
        if (waker.fd() >= FD_SETSIZE) {
            int fd = waker.fd();
            waker.close();
            throw new IllegalStateException("the wake-up eventfd got descriptor " + fd + ", at or above FD_SETSIZE ("
                    + FD_SETSIZE + "); select cannot watch it");
        }
        setBit(readMaster.buffer(), waker.fd(), true);
        maxFd = waker.fd();
    }

    @Override
    public PollerKind kind() {
        return PollerKind.SELECT;
    }

    @Override
    public void register(int fd, int ops) {
        checkRange(fd);
        if (interest[fd] == 0) {
            registered++;
        }
        interest[fd] = ops;
        setBit(readMaster.buffer(), fd, (ops & READ) != 0);
        setBit(writeMaster.buffer(), fd, (ops & WRITE) != 0);
        maxFd = Math.max(maxFd, fd);
    }

    @Override
    public void modify(int fd, int ops) {
        register(fd, ops);
    }

    @Override
    public void deregister(int fd) {
        if (fd < 0 || fd >= FD_SETSIZE || interest[fd] == 0) {
            return;
        }
        interest[fd] = 0;
        registered--;
        setBit(readMaster.buffer(), fd, false);
        setBit(writeMaster.buffer(), fd, false);
        while (maxFd > waker.fd() && interest[maxFd] == 0) {
            maxFd--;
        }
    }

    private static void checkRange(int fd) {
        if (fd < 0 || fd >= FD_SETSIZE) {
            throw new IllegalArgumentException("descriptor " + fd + " is outside select's fd_set (0.." + (FD_SETSIZE - 1) + ")");
        }
    }

    static void setBit(ByteBuffer set, int fd, boolean on) {
        int word = (fd >>> 6) * 8;
        long bit = 1L << (fd & 63);
        long v = set.getLong(word);
        set.putLong(word, on ? v | bit : v & ~bit);
    }

    static boolean isSet(ByteBuffer set, int fd) {
        return (set.getLong((fd >>> 6) * 8) & (1L << (fd & 63))) != 0;
    }

    @Override
    public int poll(long timeoutNanos, long nowNanos, Sink sink) {
        boolean infinite = timeoutNanos < 0;
        long deadline = nowNanos + Math.max(0, timeoutNanos);
        long remaining = timeoutNanos;
        int words = (maxFd >>> 6) + 1;
        while (true) {
            copyWords(readMaster.buffer(), readWork.buffer(), words);
            copyWords(writeMaster.buffer(), writeWork.buffer(), words);
            long tvAddr = 0;
            if (remaining >= 0) {
                long micros = (remaining + TimeoutClock.NANOS_PER_MICRO - 1) / TimeoutClock.NANOS_PER_MICRO;
                timeval.buffer().putLong(0, micros / 1_000_000);
                timeval.buffer().putLong(8, micros % 1_000_000);
                tvAddr = timeval.address();
            }
            int n = LibC.select(maxFd + 1, readWork.address(), writeWork.address(), 0, tvAddr);
            if (n >= 0) {
                return n == 0 ? 0 : dispatch(sink);
            }
            int errno = LibC.errno();
            if (errno == Errno.EBADF) {
                dropClosed(sink);
                return 0;
            }
            if (errno != Errno.EINTR) {
                throw new NativeException("select", errno);
            }
            remaining = TimeoutClock.remaining(deadline, infinite);
        }
    }

    private static void copyWords(ByteBuffer from, ByteBuffer to, int words) {
        for (int i = 0; i < words; i++) {
            to.putLong(i * 8, from.getLong(i * 8));
        }
    }

    private int dispatch(Sink sink) {
        ByteBuffer r = readWork.buffer();
        ByteBuffer w = writeWork.buffer();
        if (isSet(r, waker.fd())) {
            waker.drain();
        }
        int reported = 0;
        for (int fd = 0; fd <= maxFd; fd++) {
            int ops = interest[fd];
            if (ops == 0) {
                continue;
            }
            int ready = (isSet(r, fd) ? READ : 0) | (isSet(w, fd) ? WRITE : 0);
            if (ready != 0) {
                sink.ready(fd, ready);
                reported++;
            }
        }
        return reported;
    }

    private void dropClosed(Sink sink) {
        for (int fd = 0; fd <= maxFd; fd++) {
            if (interest[fd] != 0 && !Descriptors.isOpen(fd)) {
                deregister(fd);
                sink.invalid(fd);
            }
        }
    }

    @Override
    public void wakeup() {
        waker.wake();
    }

    @Override
    public long timeoutGranularityNanos() {
        return TimeoutClock.NANOS_PER_MICRO;
    }

    @Override
    public String timeoutMechanism() {
        return "select (microseconds)";
    }

    @Override
    public int descriptorLimit() {
        return FD_SETSIZE;
    }

    @Override
    public int ownDescriptors() {
        return 1;
    }

    int registeredCount() {
        return registered;
    }

    @Override
    public void close() { // each part's close is idempotent
        waker.close();
        for (NativeMemory m : Arrays.asList(readMaster, writeMaster, readWork, writeWork, timeval)) {
            m.close();
        }
    }
}
