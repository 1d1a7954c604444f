package dev.loop.capability;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReadableDurationsTest {

    @Test
    void nanosecondsReadAsAPersonWouldSayThem() {
        assertThat(ReadableDurations.of(0)).isEqualTo("0 ns");
        assertThat(ReadableDurations.of(999)).isEqualTo("999 ns");
        assertThat(ReadableDurations.of(1_000)).isEqualTo("1 us");
        assertThat(ReadableDurations.of(62_500)).isEqualTo("62.5 us");
        assertThat(ReadableDurations.of(122_879)).isEqualTo("123 us");
        assertThat(ReadableDurations.of(1_000_000)).isEqualTo("1 ms");
        assertThat(ReadableDurations.of(15_625_000)).isEqualTo("15.6 ms");
        assertThat(ReadableDurations.of(32_066_680)).isEqualTo("32.1 ms");
        assertThat(ReadableDurations.of(2_000_000_000)).isEqualTo("2 s");
        assertThat(ReadableDurations.of(86_400_000_000_000L)).isEqualTo("86400 s");
    }
}
