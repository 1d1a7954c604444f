package dev.loop.capability;

import java.util.Locale;

/** Nanoseconds as a person reads them: {@code 1 ns}, {@code 62.5 us}, {@code 15.6 ms}, {@code 250 ms}, {@code 2 s}. */
public final class ReadableDurations {

    private ReadableDurations() {
    }

    /** Below 100 of a unit, one decimal unless whole; from 100 on, whole units. */
    public static String of(long nanos) {
        if (nanos < 1_000) {
            return nanos + " ns";
        }
        if (nanos < 1_000_000) {
            return scaled(nanos, 1e3, "us");
        }
        if (nanos < 1_000_000_000) {
            return scaled(nanos, 1e6, "ms");
        }
        return scaled(nanos, 1e9, "s");
    }

    private static String scaled(long nanos, double unit, String name) {
        double v = nanos / unit;
        if (v >= 100 || v == Math.rint(v)) {
            return Math.round(v) + " " + name;
        }
        String s = String.format(Locale.ROOT, "%.1f", v);
        return (s.endsWith(".0") ? s.substring(0, s.length() - 2) : s) + " " + name;
    }
}
