package dev.loop.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import dev.loop.EventLoop;
import dev.loop.LoopStatsSnapshot;
import dev.loop.LoopStatsSnapshot.Distribution;
import dev.loop.PollerKind;
import dev.loop.capability.Capabilities;
import dev.loop.capability.Capability;
import dev.loop.capability.Limits;
import dev.loop.capability.PlatformSupport;
import dev.loop.capability.ReadableDurations;

/**
 * The {@code timers} section of a loop in the endpoint: what decides how precisely a timer fires here (the
 * clock, how finely the backend can wait, the timer slack), how late timers have been, and what the same
 * timer would get on every other platform row. Nanosecond fields for machines, a sentence beside each for people.
 *
 * @param clock                what the loop's clock is, and its resolution
 * @param clockResolutionNanos the clock's resolution
 * @param pollGranularity      how finely this backend can wait, and with which call
 * @param pollGranularityNanos the same, in nanoseconds
 * @param timerSlack           the loop thread's timer slack, and what it means
 * @param timerSlackNanos      the same, read back from the thread (0: no such control here, -1: not run yet)
 * @param lateness             how late timers started, since the loop was created
 * @param latenessLastMinute   the same over about the last minute
 * @param subMillisecondTimers timers scheduled with a delay under a millisecond
 * @param elsewhere            for each other platform row, what a 200 us timer would get there
 */
public record TimersDescriptor(String clock, long clockResolutionNanos, String pollGranularity,
        long pollGranularityNanos, String timerSlack, long timerSlackNanos, LatenessDescriptor lateness,
        LatenessDescriptor latenessLastMinute, long subMillisecondTimers, List<String> elsewhere) {

    /** The example timer of {@link #elsewhere}. */
    static final long EXAMPLE_NANOS = 200_000;

    /** Percentiles of how late timers started, with a one-line summary. */
    public record LatenessDescriptor(long count, long p50Nanos, long p99Nanos, long p999Nanos, long maxNanos,
            String summary) {

        static LatenessDescriptor of(Distribution d) {
            String summary = d.count() == 0 ? "no timer has run"
                    : "p50 " + ReadableDurations.of(d.p50()) + ", p99 " + ReadableDurations.of(d.p99()) + ", p99.9 "
                            + ReadableDurations.of(d.p999()) + ", max " + ReadableDurations.of(d.max()) + " ("
                            + d.count() + " timers)";
            return new LatenessDescriptor(d.count(), d.p50(), d.p99(), d.p999(), d.max(), summary);
        }
    }

    static TimersDescriptor of(EventLoop loop, LoopStatsSnapshot stats) {
        Capabilities caps = loop.capabilities();
        Limits limits = caps.limits();
        String clock = "System.nanoTime()" + (caps.os() == dev.loop.platform.Os.LINUX ? " (CLOCK_MONOTONIC)" : "")
                + ", resolution " + ReadableDurations.of(limits.clockResolutionNanos());
        return new TimersDescriptor(clock, limits.clockResolutionNanos(), waits(caps), limits.pollGranularityNanos(),
                slack(caps), limits.timerSlackNanos(), LatenessDescriptor.of(stats.timerLateness()),
                LatenessDescriptor.of(stats.recentTimerLateness()), stats.subMillisecondTimers(), elsewhere(caps));
    }

    /** "1 ns: the loop waits in epoll_pwait2 (a timespec)". */
    static String waits(Capabilities caps) {
        long g = caps.limits().pollGranularityNanos();
        boolean fine = g < Limits.NANOS_PER_MILLI;
        PollerKind poller = caps.poller();
        String call;
        if (poller == null) {
            call = "io_uring_enter (a timespec)";
        } else {
            call = switch (poller) {
                case EPOLL -> fine ? "epoll_pwait2 (a timespec), or epoll_wait with a timerfd" : "epoll_wait (milliseconds)";
                case POLL -> fine ? "ppoll (a timespec)" : "poll (milliseconds)";
                case SELECT -> "select (a timeval: microseconds)";
                case KQUEUE -> "kevent (a timespec)";
            };
        }
        return ReadableDurations.of(g) + ": the loop waits in " + call;
    }

    static String slack(Capabilities caps) {
        long slack = caps.limits().timerSlackNanos();
        if (!caps.supports(Capability.TIMER_SLACK)) {
            return "none: " + caps.platformLabel() + " has no per-thread timer slack ("
                    + caps.support(Capability.TIMER_SLACK).reason() + ")";
        }
        if (slack < 0) {
            return "not known yet: read from the loop thread when the loop first runs";
        }
        String meaning = "the kernel may end the loop's timed waits up to " + ReadableDurations.of(slack)
                + " late to batch wake-ups";
        if (slack == Limits.KERNEL_DEFAULT_TIMER_SLACK_NANOS) {
            return ReadableDurations.of(slack) + ", the kernel's default: " + meaning;
        }
        return ReadableDurations.of(slack) + " (the kernel's default is "
                + ReadableDurations.of(Limits.KERNEL_DEFAULT_TIMER_SLACK_NANOS) + "): " + meaning;
    }

    /** What a 200 us timer gets on each other row: "Windows proactor: 15.6 ms clock, ... at least one tick". */
    static List<String> elsewhere(Capabilities here) {
        List<String> rows = new ArrayList<>();
        for (Capabilities row : PlatformSupport.matrix()) {
            if (row.sameRowAs(here)) {
                continue;
            }
            rows.add(row.platformLabel() + " " + row.backendLabel() + ": " + forExample(row));
        }
        return rows;
    }

    static String forExample(Capabilities row) {
        long clock = row.limits().clockResolutionNanos();
        long wait = row.limits().pollGranularityNanos();
        String example = "a " + ReadableDurations.of(EXAMPLE_NANOS) + " timer";
        if (clock > EXAMPLE_NANOS) {
            return ReadableDurations.of(clock) + " clock: " + example + " waits at least one tick ("
                    + ReadableDurations.of(clock) + ")";
        }
        if (wait > EXAMPLE_NANOS) {
            return "waits in steps of " + ReadableDurations.of(wait) + ": " + example + " waits at least "
                    + ReadableDurations.of(wait);
        }
        return ReadableDurations.of(wait) + " waits" + (row.supports(Capability.TIMER_SLACK)
                ? ", timer slack settable (kernel default " + ReadableDurations.of(row.limits().timerSlackNanos()) + ")"
                : ", no per-thread timer slack") + ": " + example + " keeps its precision";
    }
}
