package dev.loop.capability;

/**
 * Numeric limits of a backend on a platform.
 *
 * @param maxDescriptors           the most descriptors it can watch (select: FD_SETSIZE; others: the
 *                                 open-file limit when known), or -1 when unbounded by the mechanism
 * @param clockResolutionNanos     resolution of the loop clock
 * @param pollGranularityNanos     granularity of the poll timeout (1 ms for epoll_wait and poll,
 *                                 1 us for select, 1 ns for epoll_pwait2, ppoll, kevent, io_uring)
 * @param timerSlackNanos          the timer slack the loop's waits run with: for a loop, read back from its
 *                                 thread while it runs (or from its last run); for a row of the matrix,
 *                                 what a thread gets by default ({@link #KERNEL_DEFAULT_TIMER_SLACK_NANOS}
 *                                 on Linux). 0 where the platform has no per-thread slack, -1 for a loop
 *                                 that has not run yet
 */
public record Limits(long maxDescriptors, long clockResolutionNanos, long pollGranularityNanos,
        long timerSlackNanos) {

    public static final long NANOS_PER_MILLI = 1_000_000L;
    /** Linux's default timer slack of a thread: 50 us. */
    public static final long KERNEL_DEFAULT_TIMER_SLACK_NANOS = 50_000L;

    /** A copy with another timer slack. */
    public Limits withTimerSlackNanos(long nanos) {
        return new Limits(maxDescriptors, clockResolutionNanos, pollGranularityNanos, nanos);
    }
}
