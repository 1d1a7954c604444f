package dev.loop.bench.timers;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What a run measures: lateness (the time a timer's callback started minus the time it was due) of a chain of
 * timers, each scheduled by the previous one as it fires, or of many timers scheduled at once with random
 * delays. The due time is taken the same way for every party: {@code System.nanoTime()} before scheduling
 * plus the delay.
 */
record TimerScenario(String name, long delayNanos, int count, boolean concurrent, long maxRandomDelayNanos) {

    static TimerScenario chain(String name, long delayNanos, int count) {
        return new TimerScenario(name, delayNanos, count, false, 0);
    }

    static TimerScenario concurrent(String name, int count, long maxRandomDelayNanos) {
        return new TimerScenario(name, 0, count, true, maxRandomDelayNanos);
    }

    /** Runs on {@code party}; returns every timer's lateness in nanoseconds, sorted. */
    long[] run(TimerParty party) throws Exception {
        long[] late = new long[count];
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (concurrent) {
            SplittableRandom random = new SplittableRandom(42);
            int[] fired = {0};
            party.execute(() -> {
                for (int i = 0; i < count; i++) {
                    int n = i;
                    long delay = 1 + random.nextLong(maxRandomDelayNanos);
                    long due = System.nanoTime() + delay;
                    party.schedule(delay, () -> {
                        late[n] = System.nanoTime() - due;
                        if (++fired[0] == count) {
                            done.complete(null);
                        }
                    });
                }
            });
        } else {
            Runnable[] next = new Runnable[1];
            int[] i = {0};
            next[0] = () -> {
                long due = System.nanoTime() + delayNanos;
                party.schedule(delayNanos, () -> {
                    late[i[0]] = System.nanoTime() - due;
                    if (++i[0] == count) {
                        done.complete(null);
                    } else {
                        next[0].run();
                    }
                });
            };
            party.execute(next[0]);
        }
        done.get(Math.max(60, 5 * count * Math.max(delayNanos, 1_000_000) / 1_000_000_000L), TimeUnit.SECONDS);
        Arrays.sort(late);
        return late;
    }

    /** The value at quantile {@code q} of sorted values. */
    static long quantile(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
