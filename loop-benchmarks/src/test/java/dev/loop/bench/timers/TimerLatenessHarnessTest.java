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
        TimerLatenessMain.Measurements m = TimerLatenessMain.measure(parties, scenarios, 0.001, 2);
        List<TimerLatenessMain.Row> rows = m.rows();
        assertThat(rows).hasSize(parties.size() * scenarios.size() * 2);
        for (TimerLatenessMain.Row r : rows) {
            assertThat(r.p50()).as(r.toString()).isNotNegative().isLessThanOrEqualTo(r.p99());
            assertThat(r.p99()).isLessThanOrEqualTo(r.p999());
            assertThat(r.p999()).isLessThanOrEqualTo(r.max());
            long expected = r.slack().equals("1 ns") ? 1 : r.party().startsWith("loop-") ? 1_000 : 50_000;
            assertThat(r.slackInForce()).as(r.toString()).isEqualTo(expected);
            assertThat(m.samples(r.scenario(), r.slack().equals("1 ns") ? TimerParty.Slack.ONE_NS
                    : TimerParty.Slack.DEFAULT, r.party()).rounds()).isEqualTo(2);
        }
        long loops = parties.stream().filter(p -> p.startsWith("loop-")).count();
        List<TimerLatenessMain.Comparison> comparisons = m.comparisons();
        assertThat(comparisons).hasSize((int) loops * scenarios.size() * 2);
        for (TimerLatenessMain.Comparison c : comparisons) {
            assertThat(c.party()).startsWith("loop-");
            assertThat(c.p50Peer()).doesNotStartWith("loop-");
            assertThat(c.p99Peer()).doesNotStartWith("loop-");
            assertThat(c.p99().low()).isLessThanOrEqualTo(c.p99().nanos());
            assertThat(c.p99().nanos()).isLessThanOrEqualTo(c.p99().high());
            assertThat(c.p99().rounds()).isEqualTo(2);
        }
    }

    @Test
    void chosenPartiesAndScenariosRunAloneIncludingTheTimerfdVariant() throws Exception {
        try (TimerParty party = TimerParty.create("loop-epoll-timerfd", TimerParty.Slack.ONE_NS)) {
            assertThat(party.slackInForce()).isEqualTo(1);
            long[] late = TimerScenario.chain("chain", 300_000, 20).run(party); // sorted
            assertThat(late).hasSize(20);
            assertThat(late[0]).isNotNegative();
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stdout = System.out;
        System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            TimerLatenessMain.main(new String[] {"0.001", "2", "loop-epoll-timerfd,stpe", "at once"});
        } finally {
            System.setOut(stdout);
        }
        List<String> lines = out.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).filteredOn(l -> l.startsWith("| 10,000 at once")).hasSize(4 + 2); // 2 parties x 2 slacks, 2 comparisons
        assertThat(lines).noneMatch(l -> l.startsWith("| chain")).noneMatch(l -> l.contains("CPU ms/s"));
        assertThat(lines).anyMatch(l -> l.contains("| loop-epoll-timerfd | stpe: "));
    }

    @Test
    void theIdleCostIsMeasuredOnTheLoopThread() throws Exception {
        double idle = TimerLatenessMain.cpuPerSecond(Duration.ofNanos(1_000), false, Duration.ofMillis(200));
        double beating = TimerLatenessMain.cpuPerSecond(Duration.ofNanos(1_000), true, Duration.ofMillis(200));
        assertThat(idle).isBetween(0.0, 1.0);
        assertThat(beating).isBetween(0.0, 1.0);
    }
}
