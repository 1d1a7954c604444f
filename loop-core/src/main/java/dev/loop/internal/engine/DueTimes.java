package dev.loop.internal.engine;

import java.time.Duration;

/**
 * Due times on the loop's clock ({@link System#nanoTime()}), kept where the timer heap's order holds: it
 * compares due times by their differences (so the clock may wrap), which is right while they span less than
 * 2^63 ns. A delay is clamped to about 146 years ahead and a due time to about 73 years back; the clock never
 * gets there, and such a value must not disturb the order of the other timers.
 */
final class DueTimes {

    /** Delays are clamped to about 146 years so that due times never overflow. */
    static final long MAX_DELAY_NANOS = 1L << 62;
    /** Due times further in the past are clamped to this far back (about 73 years). */
    static final long MAX_PAST_NANOS = 1L << 61;

    private DueTimes() {
    }

    /** {@code delay} in nanoseconds, within {@code [-MAX_PAST_NANOS, MAX_DELAY_NANOS]}. */
    static long delayNanos(Duration delay) {
        long nanos;
        try {
            nanos = delay.toNanos();
        } catch (ArithmeticException e) {
            nanos = delay.isNegative() ? -MAX_PAST_NANOS : MAX_DELAY_NANOS;
        }
        return Math.max(-MAX_PAST_NANOS, Math.min(MAX_DELAY_NANOS, nanos));
    }

    /** {@code when}, or the nearest due time within {@code [now - MAX_PAST_NANOS, now + MAX_DELAY_NANOS]}. */
    static long clamp(long when, long now) {
        long d = when - now;
        if (((when ^ now) & (when ^ d)) < 0) { // the difference overflowed: when is more than 2^63 away
            return when < now ? now - MAX_PAST_NANOS : now + MAX_DELAY_NANOS;
        }
        if (d > MAX_DELAY_NANOS) {
            return now + MAX_DELAY_NANOS;
        }
        return d < -MAX_PAST_NANOS ? now - MAX_PAST_NANOS : when;
    }
}
