package dev.loop.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The alternation harness runs, small: every party's server (a JVM of its own) answers in every slice, and the
 * comparison counts every pair. No timing is checked: numbers come from the harness run by hand.
 */
class UdpAlternationTest {

    @Test
    void everyPartyAnswersInEverySliceAndEveryPairIsCompared() throws Exception {
        for (String client : new String[] {"batch", "single"}) {
            List<String> names = List.of("loop-epoll", "loop-proactor", "loop-proactor-multishot");
            List<UdpAlternation.Party> parties = UdpAlternation.run(names, 64, client, 4, 20, 2, false);
            assertThat(parties).extracting(UdpAlternation.Party::name).containsExactlyElementsOf(names);
            for (UdpAlternation.Party p : parties) {
                assertThat(p.rates()).as(p.name() + ", " + client).hasSize(4);
                assertThat(java.util.Arrays.stream(p.rates()).min().orElse(0)).as(p.name() + ", " + client).isPositive();
            }
            List<UdpAlternation.Comparison> c = UdpAlternation.compare(parties);
            assertThat(c).hasSize(2).allSatisfy(each -> {
                assertThat(each.ratios().above() + each.ratios().below()).isLessThanOrEqualTo(4);
                assertThat(each.ratios().median()).isPositive();
            });
        }
    }

    @Test
    void theComparisonIsPairByPair() {
        List<UdpAlternation.Party> parties = List.of(new UdpAlternation.Party("a", new double[] {100, 200, 300}),
                new UdpAlternation.Party("b", new double[] {110, 190, 330}));
        PairedRatios c = UdpAlternation.compare(parties).get(0).ratios();
        assertThat(c.above()).isEqualTo(2);
        assertThat(c.above() + c.below()).isEqualTo(3);
        assertThat(c.median()).isEqualTo(1.1, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(c.min()).isEqualTo(0.95, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(c.verdict(true)).isEqualTo("alike");
    }
}
