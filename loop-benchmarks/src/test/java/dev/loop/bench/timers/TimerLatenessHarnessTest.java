package dev.loop.bench.timers;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The harness does what it claims, small and untimed: every party runs every scenario to the last timer, with
 * the slack it says (each party's own default, or 1 ns set on its timer thread), and lateness is never negative.
 * The numbers themselves are measured by running the harness, never here.
 */
class TimerLatenessHarnessTest {

    @Test
    void everyPartyRunsEveryScenarioAtBothSlacks() throws Exception {
        List<String> parties = TimerParty.available();
        assertThat(parties).contains("loop-epoll", "loop-poll", "loop-select", "stpe", "netty-epoll");
        List<TimerScenario> scenarios = List.of(TimerScenario.chain("chain", 200_000, 20),
                TimerScenario.concurrent("at once", 50, 2_000_000));
        List<TimerLatenessMain.Row> rows = TimerLatenessMain.measure(parties, scenarios, 0.001, 2);
        assertThat(rows).hasSize(parties.size() * scenarios.size() * 2);
        for (TimerLatenessMain.Row r : rows) {
            assertThat(r.p50()).as(r.toString()).isNotNegative().isLessThanOrEqualTo(r.p99());
            assertThat(r.p99()).isLessThanOrEqualTo(r.p999());
            assertThat(r.p999()).isLessThanOrEqualTo(r.max());
            long expected = r.slack().equals("1 ns") ? 1 : r.party().startsWith("loop-") ? 1_000 : 50_000;
            assertThat(r.slackInForce()).as(r.toString()).isEqualTo(expected);
        }
    }

    @Test
    void theIdleCostIsMeasuredOnTheLoopThread() throws Exception {
        double idle = TimerLatenessMain.cpuPerSecond(Duration.ofNanos(1_000), false, Duration.ofMillis(200));
        double beating = TimerLatenessMain.cpuPerSecond(Duration.ofNanos(1_000), true, Duration.ofMillis(200));
        assertThat(idle).isBetween(0.0, 1.0);
        assertThat(beating).isBetween(0.0, 1.0);
    }
}
