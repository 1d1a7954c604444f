package dev.loop.capability;

/**
 * Numeric limits of a backend on a platform.
 *
 * @param maxDescriptors           the most descriptors it can watch (select: FD_SETSIZE; others: the
 *                                 open-file limit when known), or -1 when unbounded by the mechanism
 * @param clockResolutionNanos     resolution of the loop clock
 * @param pollGranularityNanos     granularity of the poll timeout (1 ms for epoll_wait and poll,
 *                                 1 us for select, 1 ns for epoll_pwait2, ppoll, kevent, io_uring)
 */
public record Limits(long maxDescriptors, long clockResolutionNanos, long pollGranularityNanos) {

    public static final long NANOS_PER_MILLI = 1_000_000L;
}
