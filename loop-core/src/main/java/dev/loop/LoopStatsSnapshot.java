package dev.loop;

/**
 * A consistent-enough view of a loop's counters, taken from any thread. Times are nanoseconds.
 *
 * @param handles        how many handles of each type exist now
 * @param iterations     loop steps run
 * @param callbacks      callbacks run (user callbacks, I/O callbacks and timers)
 * @param slowCallbacks  callbacks that ran at least the slow-callback threshold
 * @param blockedCallbacks callbacks the watchdog saw running longer than the blocked threshold
 * @param errors         callbacks that threw, and other errors sent to the exception handler
 * @param wakeups        eventfd writes made to wake the loop from other threads (at most one per wait)
 * @param delay          loop delay: from a sample's request (from another thread) to the loop's next step
 * @param timerLateness  how late timers started, after their due time
 * @param pollNanos      time spent waiting in the poller
 * @param busyNanos      time spent running (everything outside the poller) while the loop ran
 * @param recentTimerLateness how late timers started, over about the last minute (50 to 60 s)
 * @param subMillisecondTimers timers scheduled with a delay under a millisecond, since the loop was created
 */
public record LoopStatsSnapshot(HandleCounts handles, long iterations, long callbacks, long slowCallbacks,
        long blockedCallbacks, long errors, long wakeups, Distribution delay, Distribution timerLateness, long pollNanos,
        long busyNanos, Distribution recentTimerLateness, long subMillisecondTimers) {

    /** The share of time spent running rather than waiting, from 0 to 1, since the loop was created. */
    public double utilization() {
        long total = pollNanos + busyNanos;
        return total == 0 ? 0.0 : (double) busyNanos / total;
    }

    /**
     * Handle counts by type.
     *
     * @param readers         descriptors with a reader callback of the application's ({@code addReader})
     * @param writers         descriptors with a writer callback of the application's ({@code addWriter})
     * @param timers          timers scheduled and not cancelled
     * @param cancelledTimers cancelled timers still in the timer queue, waiting for cleanup
     * @param ready           callbacks waiting to run: queued on the loop thread, or posted from other
     *                        threads and not yet taken (cancelled posts included until then)
     * @param servers         listening servers
     * @param transports      open transports (connections, pipes, the pipes of subprocesses)
     * @param subprocesses    children not yet finished (exited and every pipe closed)
     * @param signals         signal handlers installed by this loop
     * @param loopReaders     readers the loop registered for itself: its transports', servers' and sock_*
     *                        operations' (on a completion backend, most of these need none)
     * @param loopWriters     writers the loop registered for itself, likewise
     */
    public record HandleCounts(int readers, int writers, int timers, int cancelledTimers, int ready, int servers,
            int transports, int subprocesses, int signals, int loopReaders, int loopWriters) {
    }

    /**
     * Percentiles of a distribution of nanosecond values (with a relative error of about 3 %).
     *
     * @param count how many values were recorded
     * @param p50   median
     * @param p90   90th percentile
     * @param p99   99th percentile
     * @param p999  99.9th percentile
     * @param max   the largest value recorded
     * @param mean  the mean value
     */
    public record Distribution(long count, long p50, long p90, long p99, long p999, long max, double mean) {
        public static final Distribution EMPTY = new Distribution(0, 0, 0, 0, 0, 0, 0.0);
    }
}
