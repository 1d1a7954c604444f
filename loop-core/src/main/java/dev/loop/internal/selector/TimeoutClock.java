package dev.loop.internal.selector;

import java.nio.ByteBuffer;

import dev.loop.NativeException;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.LibC;

/** Timeout arithmetic shared by the pollers: deadlines, rounding up, EINTR retries. */
final class TimeoutClock {

    static final long NANOS_PER_MILLI = 1_000_000L;
    static final long NANOS_PER_MICRO = 1_000L;
    static final long NANOS_PER_SECOND = 1_000_000_000L;

    /** One native wait of a poller: the number of events, or -1 with errno set. */
    @FunctionalInterface
    interface Wait {
        int once(long timeoutNanos);
    }

    private TimeoutClock() {
    }

    /**
     * Waits through {@code wait} no longer than {@code timeoutNanos} (negative: no limit) from
     * {@code nowNanos}: EINTR is retried with the time remaining, so signals neither shorten a wait nor
     * make it return early; any other failure is thrown, named {@code call}.
     */
    static int waitRetryingEintr(long timeoutNanos, long nowNanos, Wait wait, String call) {
        boolean infinite = timeoutNanos < 0;
        long deadline = nowNanos + Math.max(0, timeoutNanos);
        long remaining = timeoutNanos;
        while (true) {
            int n = wait.once(remaining);
            if (n >= 0) {
                return n;
            }
            int errno = LibC.errno();
            if (errno != Errno.EINTR) {
                throw new NativeException(call, errno);
            }
            remaining = remaining(deadline, infinite);
        }
    }

    /** Milliseconds for {@code epoll_wait}/{@code poll}: -1 stays -1, anything else is rounded up. */
    static int millisRoundedUp(long timeoutNanos) {
        if (timeoutNanos < 0) {
            return -1;
        }
        long ms = (timeoutNanos + NANOS_PER_MILLI - 1) / NANOS_PER_MILLI;
        return (int) Math.min(ms, Integer.MAX_VALUE);
    }

    /** Writes {@code nanos} as a {@code struct timespec} (seconds, then nanoseconds) at {@code offset}. */
    static void putTimespec(ByteBuffer b, int offset, long nanos) {
        b.putLong(offset, nanos / NANOS_PER_SECOND);
        b.putLong(offset + 8, nanos % NANOS_PER_SECOND);
    }

    /** The time left until {@code deadline} (at least 0), or -1 for no deadline. */
    static long remaining(long deadline, boolean infinite) {
        if (infinite) {
            return -1;
        }
        return Math.max(0, deadline - System.nanoTime());
    }
}
