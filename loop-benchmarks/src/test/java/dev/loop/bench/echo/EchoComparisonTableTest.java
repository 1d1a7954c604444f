package dev.loop.bench.echo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The comparison's arithmetic: ratios are the median of per-round ratios (a slow phase of the host
 * hits both servers of a round, not one), CPU ratios say "higher is better" like the rate's, and a
 * saturated client is called out.
 */
class EchoComparisonTableTest {

    /** One run of 10 s: {@code rate} round trips/s, the server busy {@code serverBusy} of a CPU. */
    private static EchoClient.Result run(double rate, double serverBusy, double clientBusy) {
        return new EchoClient.Result(rate, (long) (rate * 10), 0, 10, serverBusy * 10, clientBusy * 10);
    }

    @Test
    void ratiosAreMediansOfPerRoundRatiosForRateAndCpu() {
        Map<String, Map<Integer, List<EchoClient.Result>>> results = new LinkedHashMap<>();
        // Round 2 is a slow phase for both; per round, a is 1.10x, 1.10x and 0.50x b.
        results.put("a", Map.of(1024, List.of(run(110_000, 0.5, 0.99), run(55_000, 0.5, 0.99),
                run(50_000, 0.5, 0.99))));
        results.put("b", Map.of(1024, List.of(run(100_000, 1.0, 0.90), run(50_000, 1.0, 0.90),
                run(100_000, 1.0, 0.90))));
        String table = EchoComparison.table(List.of("a", "b"), List.<String[]>of(new String[] {"a", "b"}), results,
                new int[] {1024}, 50, 10, 3, Map.of("a", "server a", "b", "server b"));

        // Rate: medians 55,000 and 100,000 (their ratio would be 0.55x); the per-round ratios' median is 1.10x.
        assertThat(table).contains("| 1024 B | 55,000 | 100,000 | 1.10x |");
        // Server CPU per round trip: a spends 5 s on 1.1 M, 0.55 M and 0.5 M round trips (4.55, 9.09, 10.00 us),
        // b 10 s on 1 M, 0.5 M, 1 M (10, 20, 10 us). Per round, round trips per CPU-second of a over b: 2.2x,
        // 2.2x, 1.0x: median 2.2x.
        assertThat(table).contains("| 1024 B | 9.09 | 10.00 | 2.20x |");
        assertThat(table).contains("| 1024 B | 50 % / 99 % | 100 % / 90 % |");
        assertThat(table).contains("The client used up to 99 % of its CPU");
        assertThat(table).contains("- a: server a");
    }

    @Test
    void noClientNoteWhenTheClientHadCpuToSpare() {
        Map<String, Map<Integer, List<EchoClient.Result>>> results = new LinkedHashMap<>();
        results.put("a", Map.of(64, List.of(run(100_000, 0.9, 0.6))));
        String table = EchoComparison.table(List.of("a"), List.of(), results, new int[] {64}, 50, 10, 1, Map.of());
        assertThat(table).contains("| 64 B | 100,000 |").doesNotContain("The client used up to");
    }
}
