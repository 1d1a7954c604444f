package dev.loop.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

import org.junit.jupiter.api.Test;

import dev.loop.LoopStatsSnapshot.Distribution;

class HistogramTest {

    @Property
    void everyValueFallsInABucketWhoseBoundsHoldIt(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long v) {
        int i = Histogram.index(v);
        assertThat(Histogram.upperBound(i)).isGreaterThanOrEqualTo(v);
        if (i > 0) {
            assertThat(Histogram.upperBound(i - 1)).isLessThan(v);
        }
        // relative error of a bucket: at most 1/32
        assertThat((double) (Histogram.upperBound(i) - v)).isLessThanOrEqualTo(Math.max(1.0, v / 32.0));
    }

    @Test
    void percentilesOfAKnownDistribution() {
        Histogram h = new Histogram();
        for (int i = 1; i <= 1000; i++) {
            h.record(i * 1_000L);
        }
        Distribution d = h.snapshot();
        assertThat(d.count()).isEqualTo(1000);
        assertThat((double) d.p50()).isCloseTo(500_000, within(500_000 * 0.04));
        assertThat((double) d.p99()).isCloseTo(990_000, within(990_000 * 0.04));
        assertThat(d.max()).isEqualTo(1_000_000);
        assertThat(d.mean()).isCloseTo(500_500.0, within(1.0));
        assertThat(new Histogram().snapshot()).isEqualTo(Distribution.EMPTY);
    }
}
