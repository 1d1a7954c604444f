package dev.loop.internal.engine;

import java.util.concurrent.atomic.AtomicLongArray;

import dev.loop.LoopStatsSnapshot.Distribution;

/**
 * A {@link Histogram} of about the last minute: six windows of 10 s, the oldest reused for the newest. One
 * writer (the loop thread), readers on any thread; a snapshot merges the windows of the last 60 s (so it covers
 * 50 to 60 s of values).
 */
final class RecentHistogram {

    static final long WINDOW_NANOS = 10_000_000_000L;
    private static final int WINDOWS = 6;

    private final Histogram[] windows = new Histogram[WINDOWS];
    /** Which window each slot holds now (its start / WINDOW_NANOS; {@link #UNUSED} before its first value). */
    private final AtomicLongArray epochs = new AtomicLongArray(WINDOWS);
    private static final long UNUSED = Long.MIN_VALUE;
    /** Loop thread only: the window values go to now, and where it starts. */
    private Histogram current;
    private long currentStart;

    RecentHistogram() {
        for (int i = 0; i < WINDOWS; i++) {
            windows[i] = new Histogram();
            epochs.set(i, UNUSED);
        }
    }

    /** Loop thread: records {@code value}, measured at {@code now} ({@code System.nanoTime()}). */
    void record(long value, long now) {
        if (current == null || now < currentStart || now - currentStart >= WINDOW_NANOS) {
            enter(now); // once per window: a timer's lateness is recorded on the loop's hot path
        }
        current.record(value);
    }

    /** Loop thread: makes {@code now}'s window the current one, its slot cleared if it held an older window. */
    private void enter(long now) {
        long epoch = epoch(now);
        int slot = (int) Math.floorMod(epoch, (long) WINDOWS);
        if (epochs.getOpaque(slot) != epoch) {
            windows[slot].clear();
            epochs.setRelease(slot, epoch);
        }
        current = windows[slot];
        currentStart = epoch * WINDOW_NANOS;
    }

    /** The values recorded in the windows of the last minute before {@code now}. */
    Distribution snapshot(long now) {
        long newest = epoch(now);
        long[] c = Histogram.newCounts();
        long[] t = new long[3];
        for (int slot = 0; slot < WINDOWS; slot++) {
            long e = epochs.getAcquire(slot);
            if (e != UNUSED && e > newest - WINDOWS && e <= newest) {
                windows[slot].addTo(c, t);
            }
        }
        return Histogram.distribution(c, t);
    }

    private static long epoch(long now) {
        return Math.floorDiv(now, WINDOW_NANOS);
    }
}
