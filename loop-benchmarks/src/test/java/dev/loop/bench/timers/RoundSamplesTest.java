package dev.loop.bench.timers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

/** Pooled percentiles equal those of the samples put together, and the comparison tells noise from a difference. */
class RoundSamplesTest {

    private static long[] sortedRandom(SplittableRandom random, int n, long bound) {
        long[] v = LongStream.generate(() -> random.nextLong(bound)).limit(n).toArray();
        Arrays.sort(v);
        return v;
    }

    @Test
    void aPooledQuantileIsTheQuantileOfAllSamplesTogether() {
        SplittableRandom random = new SplittableRandom(7);
        for (int trial = 0; trial < 200; trial++) {
            RoundSamples samples = new RoundSamples();
            int rounds = 1 + random.nextInt(6);
            long[][] each = new long[rounds][];
            for (int r = 0; r < rounds; r++) {
                each[r] = sortedRandom(random, 1 + random.nextInt(300), 1 + random.nextInt(1_000)); // ties too
                samples.add(each[r]);
            }
            long[] all = Arrays.stream(each).flatMapToLong(Arrays::stream).sorted().toArray();
            for (double q : new double[] {0.0, 0.01, 0.5, 0.9, 0.99, 0.999, 1.0}) {
                assertThat(samples.quantile(q)).as("q %s", q).isEqualTo(TimerScenario.quantile(all, q));
            }
            assertThat(samples.pooled()).containsExactly(all);
        }
    }

    @Test
    void aShiftInEveryRoundIsBehindOrAheadAndNoiseAloneIsAlike() {
        SplittableRandom random = new SplittableRandom(11);
        RoundSamples a = new RoundSamples();
        RoundSamples same = new RoundSamples();
        RoundSamples later = new RoundSamples();
        for (int r = 0; r < 7; r++) {
            long spell = random.nextLong(50_000); // a round's disturbance, shared by every party in it
            a.add(shifted(sortedRandom(random, 2_000, 100_000), spell));
            same.add(shifted(sortedRandom(random, 2_000, 100_000), spell));
            later.add(shifted(sortedRandom(random, 2_000, 100_000), spell + 30_000));
        }
        RoundSamples.Difference noise = a.minus(same, 0.5);
        assertThat(noise.verdict()).as(noise.toString()).isEqualTo("alike");
        assertThat(noise.low()).isLessThanOrEqualTo(noise.nanos());
        assertThat(noise.high()).isGreaterThanOrEqualTo(noise.nanos());
        RoundSamples.Difference behind = later.minus(a, 0.5);
        assertThat(behind.verdict()).isEqualTo("behind");
        assertThat(behind.above()).isEqualTo(7);
        assertThat(behind.nanos()).isBetween(20_000L, 40_000L);
        assertThat(a.minus(later, 0.99).verdict()).isEqualTo("ahead");
        assertThat(a.minus(later, 0.5).markdown()).matches("-\\d+ \\(-\\d+\\.\\.-\\d+; above in 0 of 7\\) ahead");
    }

    @Test
    void aStallInSomeRoundsOfOnePartyIsNotADifference() {
        // What 40 rounds of the real parties showed: each stalls for milliseconds in about one round of five.
        RoundSamples stalled = new RoundSamples();
        RoundSamples calm = new RoundSamples();
        SplittableRandom random = new SplittableRandom(3);
        for (int r = 0; r < 7; r++) {
            long[] quiet = sortedRandom(random, 1_000, 100_000);
            stalled.add(r < 3 ? shifted(quiet, 5_000_000) : quiet); // three rounds of seven, all late
            calm.add(sortedRandom(random, 1_000, 100_000));
        }
        RoundSamples.Difference d = stalled.minus(calm, 0.99);
        assertThat(d.high()).isGreaterThan(4_000_000);
        assertThat(d.verdict()).as(d.toString()).isEqualTo("alike");
    }

    @Test
    void partiesFromDifferentRunsAreNotCompared() {
        RoundSamples one = new RoundSamples();
        one.add(new long[] {1});
        RoundSamples two = new RoundSamples();
        two.add(new long[] {1});
        two.add(new long[] {2});
        assertThatIllegalArgumentException().isThrownBy(() -> one.minus(two, 0.5));
    }

    private static long[] shifted(long[] sorted, long by) {
        return Arrays.stream(sorted).map(v -> v + by).toArray();
    }
}
