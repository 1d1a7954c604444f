package dev.loop.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * One JMH benchmark run in interleaved rounds: each round runs one fork of every party in turn (a short warm-up,
 * a short measurement), so that what drifts on a shared machine (another tenant, the host's frequency) falls on
 * every party alike instead of on whichever ran last. Prints each round, then per party the median and the range
 * over rounds, and the ratio of each party to the first one as the median of the per-round ratios, with a
 * {@link SignTest} over the rounds: with noise that comes in spells, only a party that is ahead round after round is
 * called ahead (7 of 7 rounds).
 *
 * <pre>
 * java -cp loop-benchmarks/target/loop-benchmarks.jar dev.loop.bench.Rounds UdpEchoBenchmark.echo \
 *     server=loop-epoll,loop-proactor,netty-epoll,jdk-nio size=64 rounds=7
 * </pre>
 *
 * Arguments after the benchmark: {@code <param>=<v1,v2,...>} for the party axis (the first such argument), other
 * {@code <param>=<value>} fixed, {@code rounds=N} (default 7: below six the sign test calls nothing),
 * {@code warmup=N} and {@code measure=N} iterations of one second (defaults 3 and 4).
 */
public final class Rounds {

    public static void main(String[] args) throws RunnerException {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: Rounds <benchmark> <param>=<party1,party2,...> [<param>=<value>] "
                    + "[rounds=N] [warmup=N] [measure=N]");
        }
        String benchmark = args[0];
        String axis = null;
        List<String> parties = List.of();
        Map<String, String> fixed = new LinkedHashMap<>();
        int rounds = 7;
        int warmup = 3;
        int measure = 4;
        for (String a : Arrays.asList(args).subList(1, args.length)) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "rounds" -> rounds = Integer.parseInt(kv[1]);
                case "warmup" -> warmup = Integer.parseInt(kv[1]);
                case "measure" -> measure = Integer.parseInt(kv[1]);
                default -> {
                    if (axis == null) {
                        axis = kv[0];
                        parties = List.of(kv[1].split(","));
                    } else {
                        fixed.put(kv[0], kv[1]);
                    }
                }
            }
        }
        double[][] scores = new double[parties.size()][rounds];
        boolean higherIsBetter = true;
        for (int r = 0; r < rounds; r++) {
            for (int p = 0; p < parties.size(); p++) {
                ChainedOptionsBuilder o = new OptionsBuilder().include(benchmark).forks(1)
                        .warmupIterations(warmup).warmupTime(TimeValue.seconds(1))
                        .measurementIterations(measure).measurementTime(TimeValue.seconds(1))
                        .param(axis, parties.get(p)).verbosity(org.openjdk.jmh.runner.options.VerboseMode.SILENT);
                fixed.forEach(o::param);
                RunResult result = new Runner(o.build()).runSingle();
                scores[p][r] = result.getPrimaryResult().getScore();
                higherIsBetter = result.getParams().getMode() == org.openjdk.jmh.annotations.Mode.Throughput;
                System.out.printf(Locale.ROOT, "round %d %s=%s %s: %.0f %s%n", r + 1, axis, parties.get(p), fixed,
                        scores[p][r], result.getPrimaryResult().getScoreUnit());
            }
        }
        System.out.printf(Locale.ROOT, "%n%s %s, %d rounds (median, min..max; ratio to %s: median of the rounds' ratios, "
                + "rounds above it, and the sign test's verdict)%n", benchmark, fixed, rounds, parties.get(0));
        for (int p = 0; p < parties.size(); p++) {
            System.out.println(summary(parties.get(p), scores[p], scores[0], higherIsBetter));
        }
    }

    /**
     * One party's line: median score and range, then against the first party (scored in the same rounds) the median
     * of the per-round ratios, their range, in how many rounds it scored above, and {@link SignTest}'s verdict.
     */
    static String summary(String party, double[] scores, double[] first, boolean higherIsBetter) {
        PairedRatios r = PairedRatios.of(scores, first);
        double[] s = scores.clone();
        Arrays.sort(s);
        return String.format(Locale.ROOT, "%-20s %12.0f  (%.0f..%.0f)  ratio %.2f (%.2f..%.2f), above in %d of %d: %s",
                party, PairedRatios.median(scores), s[0], s[s.length - 1], r.median(), r.min(), r.max(), r.above(),
                scores.length, r.verdict(higherIsBetter));
    }

    private Rounds() {
    }
}
