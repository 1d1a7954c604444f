package dev.loop.engine;

import dev.loop.LoopStatsSnapshot;
import dev.loop.LoopStatsSnapshot.HandleCounts;

/**
 * The loop's counters. Written by the loop thread once per step (not per callback), read from any
 * thread through {@link #snapshot(HandleCounts)}.
 */
public final class LoopStats {

    private volatile long iterations;
    private volatile long callbacks;
    private volatile long slowCallbacks;
    private volatile long blockedCallbacks;
    private volatile long errors;
    private volatile long pollNanos;
    private volatile long busyNanos;
    final Histogram delay = new Histogram();
    final Histogram timerLateness = new Histogram();

    void endStep(long callbacksRun, long pollTime, long busyTime) {
        iterations = iterations + 1;
        callbacks = callbacks + callbacksRun;
        pollNanos = pollNanos + pollTime;
        busyNanos = busyNanos + busyTime;
    }

    void slowCallback() {
        slowCallbacks = slowCallbacks + 1;
    }

    synchronized void blockedCallback() {
        blockedCallbacks = blockedCallbacks + 1;
    }

    void error() {
        errors = errors + 1;
    }

    public LoopStatsSnapshot snapshot(HandleCounts handles) {
        return new LoopStatsSnapshot(handles, iterations, callbacks, slowCallbacks, blockedCallbacks, errors,
                delay.snapshot(), timerLateness.snapshot(), pollNanos, busyNanos);
    }
}
