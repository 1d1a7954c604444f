package dev.loop.internal.engine;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import dev.loop.LoopStatsSnapshot;
import dev.loop.LoopStatsSnapshot.HandleCounts;

/**
 * The loop's counters. Written by the loop thread once per step (not per callback) with opaque
 * stores, which keep every value whole for readers on other threads without a fence on the hot path;
 * read through {@link #snapshot(HandleCounts)}.
 */
public final class LoopStats {

    private static final int ITERATIONS = 0;
    private static final int CALLBACKS = 1;
    private static final int SLOW = 2;
    private static final int ERRORS = 3;
    private static final int POLL_NANOS = 4;
    private static final int BUSY_NANOS = 5;

    private final AtomicLongArray counters = new AtomicLongArray(6);
    /** Written by the watchdog and by posting threads. */
    private final AtomicLong blockedCallbacks = new AtomicLong();
    private final AtomicLong wakeups = new AtomicLong();
    final Histogram delay = new Histogram();
    final Histogram timerLateness = new Histogram();
    final RecentHistogram recentTimerLateness = new RecentHistogram();

    private void add(int i, long v) {
        counters.setOpaque(i, counters.getPlain(i) + v);
    }

    void endStep(long callbacksRun, long pollTime, long busyTime) {
        add(ITERATIONS, 1);
        add(CALLBACKS, callbacksRun);
        add(POLL_NANOS, pollTime);
        add(BUSY_NANOS, busyTime);
    }

    void slowCallback() {
        add(SLOW, 1);
    }

    void error() {
        add(ERRORS, 1);
    }

    void blockedCallback() {
        blockedCallbacks.incrementAndGet();
    }

    /** Any thread: a wake-up write was made. */
    void wakeup() {
        wakeups.incrementAndGet();
    }

    public LoopStatsSnapshot snapshot(HandleCounts handles, long subMillisecondTimers) {
        return new LoopStatsSnapshot(handles, counters.getOpaque(ITERATIONS), counters.getOpaque(CALLBACKS),
                counters.getOpaque(SLOW), blockedCallbacks.get(), counters.getOpaque(ERRORS), wakeups.get(),
                delay.snapshot(), timerLateness.snapshot(), counters.getOpaque(POLL_NANOS),
                counters.getOpaque(BUSY_NANOS), recentTimerLateness.snapshot(System.nanoTime()), subMillisecondTimers);
    }
}
