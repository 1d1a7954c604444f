package dev.loop.internal.engine;

import java.util.concurrent.atomic.AtomicLongArray;

import dev.loop.LoopStatsSnapshot.Distribution;

/**
 * A log-linear histogram of non-negative nanosecond values (HdrHistogram's bucketing with 32
 * sub-buckets per power of two: about 3 % relative error). One writer (the loop thread), readers on
 * any thread; opaque accesses keep every count whole without fences on the hot path.
 */
public final class Histogram {

    private static final int SUB_BITS = 5;
    private static final int SUB_COUNT = 1 << SUB_BITS;
    private static final int BUCKETS = (64 - SUB_BITS) * SUB_COUNT;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final AtomicLongArray totals = new AtomicLongArray(3); // count, sum, max

    public void record(long value) {
        long v = Math.max(0, value);
        int i = index(v);
        counts.setOpaque(i, counts.getPlain(i) + 1);
        totals.setOpaque(0, totals.getPlain(0) + 1);
        totals.setOpaque(1, totals.getPlain(1) + v);
        if (v > totals.getPlain(2)) {
            totals.setOpaque(2, v);
        }
    }

    static int index(long v) {
        if (v < SUB_COUNT) {
            return (int) v;
        }
        int exp = 63 - Long.numberOfLeadingZeros(v);
        int sub = (int) (v >>> (exp - SUB_BITS)) & (SUB_COUNT - 1);
        return (exp - SUB_BITS + 1) * SUB_COUNT + sub;
    }

    /** The largest value that falls in bucket {@code i}. */
    static long upperBound(int i) {
        if (i < SUB_COUNT) {
            return i;
        }
        int exp = i / SUB_COUNT + SUB_BITS - 1;
        long sub = i % SUB_COUNT;
        long low = (SUB_COUNT + sub) << (exp - SUB_BITS);
        long width = 1L << (exp - SUB_BITS);
        return low + width - 1;
    }

    public Distribution snapshot() {
        long[] c = new long[BUCKETS];
        long[] t = new long[3];
        addTo(c, t);
        return distribution(c, t);
    }

    /** Adds this histogram's counts to {@code c} and its count, sum and max to {@code t}. */
    void addTo(long[] c, long[] t) {
        for (int i = 0; i < BUCKETS; i++) {
            c[i] += counts.getOpaque(i);
        }
        t[0] += totals.getOpaque(0);
        t[1] += totals.getOpaque(1);
        t[2] = Math.max(t[2], totals.getOpaque(2));
    }

    /** The writer starts over (a reader meanwhile may see part of the old counts: these are statistics). */
    void clear() {
        for (int i = 0; i < BUCKETS; i++) {
            counts.setOpaque(i, 0);
        }
        for (int i = 0; i < 3; i++) {
            totals.setOpaque(i, 0);
        }
    }

    static long[] newCounts() {
        return new long[BUCKETS];
    }

    static Distribution distribution(long[] c, long[] t) {
        long total = 0;
        for (long v : c) {
            total += v;
        }
        if (total == 0) {
            return Distribution.EMPTY;
        }
        long max = t[2];
        double mean = t[0] == 0 ? 0.0 : (double) t[1] / t[0];
        return new Distribution(total, percentile(c, total, 0.50, max), percentile(c, total, 0.90, max),
                percentile(c, total, 0.99, max), percentile(c, total, 0.999, max), max, mean);
    }

    private static long percentile(long[] c, long total, double q, long max) {
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < c.length; i++) {
            seen += c[i];
            if (seen >= rank) {
                return Math.min(upperBound(i), max);
            }
        }
        return max;
    }
}
