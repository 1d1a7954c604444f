package dev.loop.bench.timers;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.loop.EventLoop;
import dev.loop.EventLoops;
import dev.loop.LoopOptions;
import dev.loop.TimerHandle;
import dev.loop.bench.SignTest;

/**
 * The timer-lateness comparison: every party (the loop on each backend, ScheduledThreadPoolExecutor, Netty 4.2's
 * epoll and io_uring loops) in one run, at each party's default timer slack and at 1 ns; chains of 200 us,
 * 1 ms and 10 ms timers and 10,000 timers at once with random delays. Prints a Markdown table of p50, p99,
 * p99.9 and max lateness (over {@code rounds} rounds pooled), a table of each loop backend against the best peer
 * (the difference at p50 and p99 round by round, with a sign test: {@link RoundSamples#minus}), then
 * the CPU cost of the loop's slack settings. Not a test: run it on a quiet machine.
 *
 * <pre>java -cp loop-benchmarks/target/loop-benchmarks.jar dev.loop.bench.timers.TimerLatenessMain [scale [rounds [parties [scenario]]]]</pre>
 *
 * {@code scale} (default 1) multiplies every timer count, {@code 0.05} is a quick look; {@code rounds}: 7;
 * {@code parties}: a comma-separated choice among {@link TimerParty#create}'s names (default: every party that
 * can run here), then only the scenarios whose name contains {@code scenario}, and no CPU table.
 */
public final class TimerLatenessMain {

    private TimerLatenessMain() {
    }

    static List<TimerScenario> scenarios(double scale) {
        return List.of(
                TimerScenario.chain("chain of 200 us", 200_000, count(20_000, scale)),
                TimerScenario.chain("chain of 1 ms", 1_000_000, count(5_000, scale)),
                TimerScenario.chain("chain of 10 ms", 10_000_000, count(500, scale)),
                TimerScenario.concurrent("10,000 at once, random 1 ns to 100 ms", count(10_000, scale), 100_000_000));
    }

    private static int count(int n, double scale) {
        return Math.max(10, (int) (n * scale));
    }

    /** One row of the table: a scenario on a party at a slack. */
    record Row(String scenario, String party, String slack, long slackInForce, long p50, long p99, long p999,
            long max) {

        String markdown() {
            return String.format(Locale.ROOT, "| %s | %s | %s (%s) | %s | %s | %s | %s |", scenario, party, slack,
                    ns(slackInForce), us(p50), us(p99), us(p999), us(max));
        }
    }

    static String us(long nanos) {
        return String.format(Locale.ROOT, "%.0f", nanos / 1e3);
    }

    static String ns(long nanos) {
        return nanos >= 1000 ? nanos / 1000 + " us" : nanos + " ns";
    }

    /**
     * Measures every scenario on every party at both slacks, {@code rounds} times. Each round goes through every
     * party in turn, starting one party later than the round before, so that a disturbance of the machine hits one
     * round, not one party, and no party always runs first.
     */
    static Measurements measure(List<String> parties, List<TimerScenario> scenarios, double warmupScale, int rounds)
            throws Exception {
        Measurements m = new Measurements(parties, scenarios);
        for (int round = 0; round < rounds; round++) {
            for (TimerParty.Slack slack : TimerParty.Slack.values()) {
                for (int k = 0; k < parties.size(); k++) {
                    String name = parties.get((k + round) % parties.size());
                    System.gc();
                    try (TimerParty party = TimerParty.create(name, slack)) {
                        m.slackInForce.put(slack + "|" + name, party.slackInForce());
                        for (TimerScenario s : scenarios(warmupScale)) { // JIT warm-up, not recorded
                            s.run(party);
                        }
                        for (TimerScenario s : scenarios) {
                            m.samples(s.name(), slack, name).add(s.run(party));
                        }
                    }
                }
            }
        }
        return m;
    }

    /** Every party's samples, by scenario and slack. */
    static final class Measurements {
        private final List<String> parties;
        private final List<TimerScenario> scenarios;
        private final Map<String, RoundSamples> samples = new HashMap<>();
        private final Map<String, Long> slackInForce = new HashMap<>();

        Measurements(List<String> parties, List<TimerScenario> scenarios) {
            this.parties = parties;
            this.scenarios = scenarios;
        }

        RoundSamples samples(String scenario, TimerParty.Slack slack, String party) {
            return samples.computeIfAbsent(scenario + "|" + slack + "|" + party, k -> new RoundSamples());
        }

        /** The table: percentiles of all rounds pooled, the largest max. */
        List<Row> rows() {
            List<Row> rows = new ArrayList<>();
            for (TimerScenario s : scenarios) {
                for (TimerParty.Slack slack : TimerParty.Slack.values()) {
                    for (String name : parties) {
                        long[] pooled = samples(s.name(), slack, name).pooled();
                        rows.add(new Row(s.name(), name, slack.label(), slackInForce.get(slack + "|" + name),
                                TimerScenario.quantile(pooled, 0.5), TimerScenario.quantile(pooled, 0.99),
                                TimerScenario.quantile(pooled, 0.999), pooled[pooled.length - 1]));
                    }
                }
            }
            return rows;
        }

        /**
         * Each loop backend against the best peer at the same slack (the peer with the lowest pooled p50, and
         * the one with the lowest p99), round by round ({@link RoundSamples#minus}).
         */
        List<Comparison> comparisons() {
            List<String> peers = parties.stream().filter(p -> !p.startsWith("loop-")).toList();
            List<Comparison> out = new ArrayList<>();
            if (peers.isEmpty()) {
                return out;
            }
            for (TimerScenario s : scenarios) {
                for (TimerParty.Slack slack : TimerParty.Slack.values()) {
                    String p50Peer = best(peers, s, slack, 0.5);
                    String p99Peer = best(peers, s, slack, 0.99);
                    for (String name : parties) {
                        if (name.startsWith("loop-")) {
                            RoundSamples loop = samples(s.name(), slack, name);
                            out.add(new Comparison(s.name(), slack.label(), name,
                                    p50Peer, loop.minus(samples(s.name(), slack, p50Peer), 0.5),
                                    p99Peer, loop.minus(samples(s.name(), slack, p99Peer), 0.99)));
                        }
                    }
                }
            }
            return out;
        }

        private String best(List<String> peers, TimerScenario s, TimerParty.Slack slack, double q) {
            return peers.stream().min(Comparator.comparingLong(p -> samples(s.name(), slack, p).quantile(q)))
                    .orElseThrow();
        }
    }

    /** A loop backend against the best peer at p50 and at p99, in one scenario at one slack. */
    record Comparison(String scenario, String slack, String party, String p50Peer, RoundSamples.Difference p50,
            String p99Peer, RoundSamples.Difference p99) {

        String markdown() {
            return String.format(Locale.ROOT, "| %s | %s | %s | %s: %s | %s: %s |", scenario, slack, party, p50Peer,
                    p50.markdown(), p99Peer, p99.markdown());
        }
    }

    /** CPU time of the loop thread per second: idle, and with a 1 ms heartbeat timer, at a given slack. */
    static double cpuPerSecond(Duration slack, boolean heartbeat, Duration window) throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (EventLoop loop = EventLoops.create(LoopOptions.builder().name("idle").timerSlack(slack)
                .delaySamplingInterval(Duration.ZERO).blockedThreshold(Duration.ZERO).build())) {
            loop.start();
            CompletableFuture<Long> tid = new CompletableFuture<>();
            loop.execute(() -> tid.complete(Thread.currentThread().getId()));
            long id = tid.get(10, TimeUnit.SECONDS);
            TimerHandle[] beat = new TimerHandle[1];
            if (heartbeat) {
                Runnable[] tick = new Runnable[1];
                tick[0] = () -> beat[0] = loop.callLater(Duration.ofMillis(1), tick[0]);
                loop.execute(tick[0]);
            }
            Thread.sleep(500);
            long cpu0 = mx.getThreadCpuTime(id);
            long t0 = System.nanoTime();
            Thread.sleep(window.toMillis());
            long cpu1 = mx.getThreadCpuTime(id);
            long t1 = System.nanoTime();
            return (double) (cpu1 - cpu0) / (t1 - t0);
        }
    }

    public static void main(String[] args) throws Exception {
        double scale = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        List<String> parties = args.length > 2 ? List.of(args[2].split(",")) : TimerParty.available();
        List<TimerScenario> scenarios = scenarios(scale).stream()
                .filter(s -> args.length <= 3 || s.name().contains(args[3])).toList();
        Measurements m = measure(parties, scenarios, Math.min(scale, 0.25), rounds);
        List<Row> rows = m.rows();
        System.out.println("| timers | party | slack (in force) | p50 us | p99 us | p99.9 us | max us |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
        String last = null;
        for (String scenario : rows.stream().map(Row::scenario).distinct().toList()) {
            for (Row r : rows) {
                if (r.scenario().equals(scenario)) {
                    System.out.println(r.markdown());
                }
            }
            last = scenario;
        }
        System.out.println();
        System.out.println("| timers | slack | party | p50 minus the best peer's, us (rounds) | "
                + "p99 minus the best peer's, us (rounds) |");
        System.out.println("| --- | --- | --- | --- | --- |");
        for (Comparison c : m.comparisons()) {
            System.out.println(c.markdown());
        }
        if (SignTest.p(rounds, rounds) >= SignTest.LEVEL) {
            System.out.println("\n(" + rounds + " rounds: too few for the sign test to call any difference; 6 or more can)");
        }
        if (last == null) {
            throw new IllegalStateException("nothing measured");
        }
        if (args.length > 2) {
            return; // a chosen few: the comparison only
        }
        System.out.println();
        System.out.println("| loop-epoll thread | slack 1 ns | slack 1 us (default) | slack 10 us | slack 50 us (kernel) |");
        System.out.println("| --- | --- | --- | --- | --- |");
        Duration window = Duration.ofMillis((long) Math.max(1000, 10_000 * Math.min(scale, 1)));
        for (boolean heartbeat : new boolean[] {false, true}) {
            StringBuilder sb = new StringBuilder(heartbeat ? "| 1 ms heartbeat, CPU ms/s |" : "| idle, CPU ms/s |");
            for (long ns : new long[] {1, 1_000, 10_000, 50_000}) {
                double[] r = new double[Math.min(rounds, 3)]; // steady: CPU time varies little between windows
                for (int i = 0; i < r.length; i++) {
                    r[i] = cpuPerSecond(Duration.ofNanos(ns), heartbeat, window);
                }
                java.util.Arrays.sort(r);
                sb.append(String.format(Locale.ROOT, " %.1f |", 1e3 * r[r.length / 2]));
            }
            System.out.println(sb);
        }
    }
}
