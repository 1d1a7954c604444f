package dev.loop.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RoundsTest {

    private static final double[] FIRST = {100, 200, 150, 120, 180, 90, 160};

    @Test
    void aRateAboveInEveryRoundIsAhead() {
        double[] faster = {110, 210, 160, 130, 190, 100, 170};
        assertThat(Rounds.summary("b", faster, FIRST, true))
                .contains("above in 7 of 7: ahead").contains("ratio 1.07 (1.05..1.11)");
        assertThat(Rounds.summary("b", faster, FIRST, false)).endsWith("above in 7 of 7: behind"); // a time
    }

    @Test
    void aBetterMedianWithOneRoundAgainstItIsAlike() {
        double[] mostlyFaster = {110, 210, 160, 130, 190, 100, 150};
        assertThat(Rounds.summary("b", mostlyFaster, FIRST, true)).endsWith("above in 6 of 7: alike");
    }

    @Test
    void theFirstPartyAgainstItselfIsAlike() {
        assertThat(Rounds.summary("a", FIRST, FIRST, true)).contains("ratio 1.00 (1.00..1.00)")
                .endsWith("above in 0 of 7: alike");
    }
}
