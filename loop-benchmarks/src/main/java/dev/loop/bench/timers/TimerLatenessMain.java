package dev.loop.bench.timers;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.loop.EventLoop;
import dev.loop.EventLoops;
import dev.loop.LoopOptions;
import dev.loop.TimerHandle;

/**
 * The timer-lateness comparison: every party (the loop on each backend, ScheduledThreadPoolExecutor, Netty 4.2's
 * epoll and io_uring loops) in one run, at each party's default timer slack and at 1 ns; chains of 200 us,
 * 1 ms and 10 ms timers and 10,000 timers at once with random delays. Prints one Markdown table of p50, p99,
 * p99.9 and max lateness (the median of {@code rounds} rounds; max: the largest), then the CPU cost of the
 * loop's slack settings. Not a test: run it on a quiet machine.
 *
 * <pre>java -cp loop-benchmarks/target/loop-benchmarks.jar dev.loop.bench.timers.TimerLatenessMain [scale [rounds]]</pre>
 *
 * {@code scale} (default 1) multiplies every timer count, {@code 0.05} is a quick look; {@code rounds}: 3.
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
     * Measures every scenario on every party at both slacks, {@code rounds} times (each round goes through every
     * party in turn, so that a disturbance of the machine hits one round, not one party), and reports for each
     * the median of the rounds' percentiles and the largest max.
     */
    static List<Row> measure(List<String> parties, List<TimerScenario> scenarios, double warmupScale, int rounds)
            throws Exception {
        java.util.Map<String, List<Row>> byKey = new java.util.LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (TimerParty.Slack slack : TimerParty.Slack.values()) {
                for (String name : parties) {
                    System.gc();
                    try (TimerParty party = TimerParty.create(name, slack)) {
                        long inForce = party.slackInForce();
                        for (TimerScenario s : scenarios(warmupScale)) { // JIT warm-up, not recorded
                            s.run(party);
                        }
                        for (TimerScenario s : scenarios) {
                            long[] late = s.run(party);
                            byKey.computeIfAbsent(s.name() + "|" + slack + "|" + name, k -> new ArrayList<>())
                                    .add(new Row(s.name(), name, slack.label(), inForce,
                                            TimerScenario.quantile(late, 0.5), TimerScenario.quantile(late, 0.99),
                                            TimerScenario.quantile(late, 0.999), late[late.length - 1]));
                        }
                    }
                }
            }
        }
        List<Row> rows = new ArrayList<>();
        for (TimerScenario s : scenarios) {
            for (TimerParty.Slack slack : TimerParty.Slack.values()) {
                for (String name : parties) {
                    List<Row> r = byKey.get(s.name() + "|" + slack + "|" + name);
                    rows.add(new Row(s.name(), name, slack.label(), r.get(0).slackInForce(),
                            median(r.stream().mapToLong(Row::p50).toArray()),
                            median(r.stream().mapToLong(Row::p99).toArray()),
                            median(r.stream().mapToLong(Row::p999).toArray()),
                            r.stream().mapToLong(Row::max).max().orElseThrow()));
                }
            }
        }
        return rows;
    }

    static long median(long[] values) {
        long[] v = values.clone();
        java.util.Arrays.sort(v);
        return v[v.length / 2];
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
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        List<Row> rows = measure(TimerParty.available(), scenarios(scale), Math.min(scale, 0.25), rounds);
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
        System.out.println("| loop-epoll thread | slack 1 ns | slack 1 us (default) | slack 10 us | slack 50 us (kernel) |");
        System.out.println("| --- | --- | --- | --- | --- |");
        Duration window = Duration.ofMillis((long) Math.max(1000, 10_000 * Math.min(scale, 1)));
        for (boolean heartbeat : new boolean[] {false, true}) {
            StringBuilder sb = new StringBuilder(heartbeat ? "| 1 ms heartbeat, CPU ms/s |" : "| idle, CPU ms/s |");
            for (long ns : new long[] {1, 1_000, 10_000, 50_000}) {
                double[] r = new double[rounds];
                for (int i = 0; i < rounds; i++) {
                    r[i] = cpuPerSecond(Duration.ofNanos(ns), heartbeat, window);
                }
                java.util.Arrays.sort(r);
                sb.append(String.format(Locale.ROOT, " %.1f |", 1e3 * r[rounds / 2]));
            }
            System.out.println(sb);
        }
        if (last == null) {
            throw new IllegalStateException("nothing measured");
        }
    }
}
