package dev.loop.bench.timers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.loop.bench.SignTest;

/**
 * One party's lateness in one scenario at one slack: every round's samples, kept per round. The table's
 * percentiles are taken over the rounds pooled together; a comparison goes round by round, because the noise on
 * a shared virtual machine comes in spells (a neighbour busy for a few seconds moves one round, a stall of a few
 * milliseconds moves a round's p99), not sample by sample.
 */
final class RoundSamples {

    private final List<long[]> rounds = new ArrayList<>();

    /** Adds a round's lateness samples, sorted. */
    void add(long[] sorted) {
        rounds.add(sorted);
    }

    int rounds() {
        return rounds.size();
    }

    /** Every round's samples together, sorted. */
    long[] pooled() {
        long[] pooled = rounds.stream().flatMapToLong(Arrays::stream).toArray();
        Arrays.sort(pooled);
        return pooled;
    }

    /** The quantile {@code q} of every round's samples pooled. */
    long quantile(double q) {
        return TimerScenario.quantile(pooled(), q);
    }

    /**
     * This party's quantile {@code q} minus {@code other}'s, round by round (they ran in the same rounds, one
     * after the other, so a round's disturbance is shared), with an exact two-sided sign test: a difference is
     * called one only when this party was above (or below) the other in so many rounds that chance alone would
     * do that less than 5 % of the time (7 of 7 rounds; 9 of 10). Not a resampling interval: with a few rounds
     * and stalls of milliseconds in some of them, resampling the rounds one has takes a stall seen in three
     * rounds of one party and none of the other for a difference, which 40 rounds of the same parties showed
     * it was not.
     */
    Difference minus(RoundSamples other, double q) {
        if (other.rounds() != rounds()) {
            throw new IllegalArgumentException("different rounds: " + rounds() + " and " + other.rounds());
        }
        long[] d = new long[rounds()];
        int above = 0;
        int below = 0;
        for (int r = 0; r < d.length; r++) {
            d[r] = TimerScenario.quantile(rounds.get(r), q) - TimerScenario.quantile(other.rounds.get(r), q);
            above += d[r] > 0 ? 1 : 0;
            below += d[r] < 0 ? 1 : 0;
        }
        Arrays.sort(d);
        return new Difference(d[d.length / 2], d[0], d[d.length - 1], above, below, d.length);
    }

    /**
     * A difference in nanoseconds: the median of the rounds' differences, the smallest and the largest, and in how
     * many of the rounds this party was above and below the other (lateness: above is behind).
     */
    record Difference(long nanos, long low, long high, int above, int below, int rounds) {

        /** Behind or ahead when the sign test says so (p < 0.05, ties left out), else alike: within the noise. */
        String verdict() {
            return SignTest.verdict(above, below, false);
        }

        String markdown() {
            return String.format(java.util.Locale.ROOT, "%s (%s..%s; above in %d of %d) %s", signedUs(nanos),
                    signedUs(low), signedUs(high), above, rounds, verdict());
        }

        private static String signedUs(long nanos) {
            return String.format(java.util.Locale.ROOT, "%+.0f", nanos / 1e3);
        }
    }
}
