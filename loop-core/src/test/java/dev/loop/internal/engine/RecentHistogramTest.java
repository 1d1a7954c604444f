package dev.loop.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.loop.LoopStatsSnapshot.Distribution;

/** The last minute's values, in 10 s windows: older windows drop out and are reused, at any clock origin. */
class RecentHistogramTest {

    private static final long S = 1_000_000_000L;

    @Test
    void valuesOlderThanAMinuteDropOut() {
        // Windows are aligned to multiples of 10 s of System.nanoTime(), whose origin is arbitrary (negative too).
        for (long origin : new long[] {0, -120 * S, (Long.MAX_VALUE / 2) / (10 * S) * (10 * S)}) {
            RecentHistogram h = new RecentHistogram();
            h.record(5_000_000, origin + 1 * S);          // window 0
            h.record(100_000, origin + 15 * S);           // window 1
            h.record(200_000, origin + 55 * S);           // window 5
            Distribution all = h.snapshot(origin + 59 * S);
            assertThat(all.count()).isEqualTo(3);
            assertThat(all.max()).isEqualTo(5_000_000);
            Distribution later = h.snapshot(origin + 65 * S); // window 0 is out of the minute
            assertThat(later.count()).isEqualTo(2);
            assertThat(later.max()).isEqualTo(200_000);
            h.record(300_000, origin + 66 * S);           // reuses window 0's slot
            Distribution reused = h.snapshot(origin + 66 * S);
            assertThat(reused.count()).isEqualTo(3);
            assertThat(reused.max()).isEqualTo(300_000);
            assertThat(h.snapshot(origin + 200 * S)).isEqualTo(Distribution.EMPTY);
        }
    }

    @Test
    void percentilesComeFromTheMergedWindows() {
        RecentHistogram h = new RecentHistogram();
        for (int i = 0; i < 99; i++) {
            h.record(50_000, i * S / 10);                 // 99 values over 10 s
        }
        h.record(2_000_000, 30 * S);
        Distribution d = h.snapshot(31 * S);
        assertThat(d.count()).isEqualTo(100);
        assertThat(d.p50()).isBetween(48_000L, 52_000L);
        assertThat(d.max()).isEqualTo(2_000_000);
    }
}
