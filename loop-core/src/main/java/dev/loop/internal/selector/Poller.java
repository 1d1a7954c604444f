package dev.loop.internal.selector;

import dev.loop.PollerKind;

/**
 * One OS readiness mechanism behind one narrow interface (mio's {@code Selector}). Not thread-safe
 * except {@link #wakeup()}: the loop thread registers and polls.
 *
 * <p>Interest and readiness are bit sets of {@link #READ} and {@link #WRITE}. Errors and hang-ups are
 * reported as both, as Python's {@code selectors} does, so the callback's own read or write sees them.
 */
public interface Poller extends AutoCloseable {

    int READ = 1;
    int WRITE = 2;

    /** Receives what one {@link #poll(long, Sink)} found. */
    interface Sink {
        /** {@code fd} is ready for {@code ops} ({@link #READ} and/or {@link #WRITE}). */
        void ready(int fd, int ops);

        /**
         * {@code fd} was closed while registered (POLLNVAL, or EBADF from select). The poller has
         * already forgotten it.
         */
        void invalid(int fd);

        /** Process {@code pid}, watched with {@link Poller#watchExit}, has exited (not reaped yet). */
        default void exited(int pid) {
        }
    }

    PollerKind kind();

    /** Starts watching {@code fd} for {@code interest} (non-zero). */
    void register(int fd, int interest);

    /** Changes the interest of a registered {@code fd} (non-zero). */
    void modify(int fd, int interest);

    /** Stops watching {@code fd}. Never fails for a descriptor that was closed meanwhile. */
    void deregister(int fd);

    /**
     * Waits for readiness no longer than {@code timeoutNanos} (0: do not block; negative: no limit),
     * never returning early on EINTR (it retries with the time remaining after {@code nowNanos +
     * timeoutNanos}) and never rounding a timeout down. Returns the number of descriptors reported.
     *
     * @param nowNanos the {@link System#nanoTime()} reading the timeout was computed from, so that the
     *                 poller reads the clock only when a wait is interrupted
     */
    int poll(long timeoutNanos, long nowNanos, Sink sink);

    /** Whether this poller reports process exits itself ({@link #watchExit}); else the loop uses pidfds. */
    default boolean watchesExits() {
        return false;
    }

    /** Reports the exit of {@code pid} once through {@link Sink#exited}; false if it is gone already. */
    default boolean watchExit(int pid) {
        throw new UnsupportedOperationException(kind().id() + " does not watch processes");
    }

    /** Stops watching {@code pid}. */
    default void unwatchExit(int pid) {
    }

    /** Makes a {@link #poll} in progress (or the next one) return. Thread-safe; a no-op once closed. */
    void wakeup();

    /** Granularity of the poll timeout on this machine, in nanoseconds. */
    long timeoutGranularityNanos();

    /** How timeouts are implemented ({@code "epoll_pwait2"}, {@code "timerfd"}, {@code "ppoll"}, ...). */
    String timeoutMechanism();

    /** Descriptors must be below this value ({@code Integer.MAX_VALUE} when the mechanism has no limit). */
    int descriptorLimit();

    /** Descriptors the poller itself owns (epoll fd, eventfd, timerfd): for leak accounting. */
    int ownDescriptors();

    /** Releases every descriptor and native buffer the poller owns. Idempotent. */
    @Override
    void close();
}
