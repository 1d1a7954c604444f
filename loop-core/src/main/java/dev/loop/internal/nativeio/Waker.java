package dev.loop.internal.nativeio;

import java.util.concurrent.atomic.AtomicInteger;

import dev.loop.NativeException;

/**
 * A backend's cross-thread wake-up, through an eventfd: a write makes it readable, the poller drains it. An
 * eventfd is a counter, so wake-ups can never fill a buffer and be lost (asyncio's self-pipe can).
 *
 * <p>{@link #wake()} may race with {@link #close()}: a wake that passed the closed check must finish
 * before the descriptor is closed, or its write could land in a descriptor that reused the number.
 */
public final class Waker implements AutoCloseable {

    private static final int CLOSED = Integer.MIN_VALUE / 2;

    private final int fd;
    private final NativeMemory one = new NativeMemory(8);
    private final NativeMemory drain = new NativeMemory(8);
    /** Wakes in progress; {@link #CLOSED} added once closing. */
    private final AtomicInteger active = new AtomicInteger();

    public Waker() {
        this.fd = Descriptors.eventFd();
        one.buffer().putLong(0, 1L);
    }

    public int fd() {
        return fd;
    }

    public void wake() {
        if (active.incrementAndGet() > 0) {
            try {
                long rc = LibC.write(fd, one.address(), 8);
                if (rc < 0) {
                    int errno = LibC.errno();
                    // EAGAIN: the counter is at its maximum, so the loop is already being woken.
                    if (errno != Errno.EAGAIN) {
                        throw new NativeException("write(eventfd)", errno);
                    }
                }
            } finally {
                active.decrementAndGet();
            }
        } else {
            active.decrementAndGet();
        }
    }

    /** Resets the counter; called by the poller when the eventfd is reported readable. */
    public void drain() {
        drainOther(fd);
    }

    /** Reads the 8-byte counter of another eventfd or timerfd the poller owns (EAGAIN is fine). */
    public void drainOther(int counterFd) {
        LibC.read(counterFd, drain.address(), 8);
    }

    @Override
    public void close() {
        if (active.getAndAdd(CLOSED) < 0) {
            active.getAndAdd(-CLOSED);
            return;
        }
        while (active.get() != CLOSED) {
            Thread.onSpinWait();
        }
        LibC.close(fd);
        one.close();
        drain.close();
    }
}
