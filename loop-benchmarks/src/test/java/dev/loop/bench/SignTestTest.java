package dev.loop.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class SignTestTest {

    @Test
    void theSignTestIsTheExactBinomial() {
        assertThat(SignTest.p(7, 7)).isCloseTo(2.0 / 128, Offset.offset(1e-12));
        assertThat(SignTest.p(0, 7)).isCloseTo(2.0 / 128, Offset.offset(1e-12));
        assertThat(SignTest.p(6, 7)).isCloseTo(16.0 / 128, Offset.offset(1e-12));
        assertThat(SignTest.p(9, 10)).isCloseTo(22.0 / 1024, Offset.offset(1e-12));
        assertThat(SignTest.p(3, 6)).isEqualTo(1.0);
        assertThat(SignTest.p(5, 5)).isGreaterThanOrEqualTo(SignTest.LEVEL); // five rounds can never tell
        assertThat(SignTest.p(6, 6)).isLessThan(SignTest.LEVEL);
    }

    @Test
    void aboveIsAheadForARateAndBehindForATime() {
        assertThat(SignTest.verdict(7, 0, true)).isEqualTo("ahead");
        assertThat(SignTest.verdict(7, 0, false)).isEqualTo("behind");
        assertThat(SignTest.verdict(0, 7, true)).isEqualTo("behind");
        assertThat(SignTest.verdict(0, 7, false)).isEqualTo("ahead");
        assertThat(SignTest.verdict(6, 1, true)).isEqualTo("alike");
        assertThat(SignTest.verdict(0, 0, true)).isEqualTo("alike"); // every round a tie
    }
}
