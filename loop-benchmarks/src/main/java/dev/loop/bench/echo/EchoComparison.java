package dev.loop.bench.echo;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the echo comparison: each server in its own JVM ({@code java -jar loop-echo.jar --server X
 * --port 0}), one after another and in a rotating order per round, under the same {@link EchoClient}
 * load, and prints a markdown table with the medians and the ratios asked for.
 *
 * <pre>java -cp loop-benchmarks/target/loop-echo.jar dev.loop.bench.echo.EchoComparison \
 *     [--seconds 10] [--warmup 3] [--rounds 3] [--connections 50] [--sizes 64,1024,16384] [--server-cpus 1] \
 *     [--server-cpu-quota 0.5] [--servers loop-epoll,loop-proactor,netty-epoll,netty-io_uring,netty-nio,jdk-nio] \
 *     [--ratios loop-proactor/netty-io_uring,loop-proactor/loop-epoll,loop-epoll/netty-epoll,loop-epoll/jdk-nio] \
 *     [--baseline-jar other/loop-echo.jar]</pre>
 *
 * <p>With {@code --baseline-jar}, every loop server also runs from that jar (as {@code loop-epoll@baseline},
 * ...), and its ratio to this jar's is reported: a before/after comparison of two builds in one run.
 */
public final class EchoComparison {

    /** The servers {@code --servers} may name, with the arguments that start each. */
    private static final Map<String, List<String>> KNOWN = Map.of(
            "loop-epoll", List.of("--server", "loop", "--backend", "selector", "--poller", "epoll"),
            "loop-proactor", List.of("--server", "loop", "--backend", "proactor"),
            "netty-epoll", List.of("--server", "netty-epoll"),
            "netty-io_uring", List.of("--server", "netty-io_uring"),
            "netty-nio", List.of("--server", "netty-nio"),
            "jdk-nio", List.of("--server", "jdk-nio"));
    private static final String DEFAULT_SERVERS = "loop-epoll,loop-proactor,netty-epoll,netty-io_uring,netty-nio,jdk-nio";
    private static final String DEFAULT_RATIOS = "loop-proactor/netty-io_uring,loop-proactor/loop-epoll,"
            + "loop-epoll/netty-epoll,loop-epoll/jdk-nio";
    private static final String BASELINE = "@baseline";
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+) \\((.*)\\)");

    private EchoComparison() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = EchoMain.parse(args);
        double seconds = Double.parseDouble(o.getOrDefault("seconds", "10"));
        double warmup = Double.parseDouble(o.getOrDefault("warmup", "3"));
        int rounds = Integer.parseInt(o.getOrDefault("rounds", "3"));
        int connections = Integer.parseInt(o.getOrDefault("connections", "50"));
        int[] sizes = Arrays.stream(o.getOrDefault("sizes", "64,1024,16384").split(",")).mapToInt(Integer::parseInt)
                .toArray();
        String jar = o.getOrDefault("jar", new File(EchoComparison.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI()).getPath());
        List<String> servers = new ArrayList<>(List.of(o.getOrDefault("servers", DEFAULT_SERVERS).split(",")));
        for (String server : servers) {
            if (!KNOWN.containsKey(server)) {
                throw new IllegalArgumentException("unknown server " + server + "; known: " + KNOWN.keySet());
            }
        }
        // Optional: the same loop servers from another build (a before/after comparison in one run), named
        // "<server>@baseline" and compared with the ones of this jar.
        String baseline = o.get("baseline-jar");
        List<String[]> ratios = new ArrayList<>();
        if (baseline != null) {
            for (String server : List.copyOf(servers)) {
                if (server.startsWith("loop-")) {
                    servers.add(servers.indexOf(server) + 1, server + BASELINE);
                    ratios.add(new String[] {server, server + BASELINE});
                }
            }
        }
        for (String r : o.getOrDefault("ratios", DEFAULT_RATIOS).split(",")) {
            String[] pair = r.split("/");
            if (pair.length == 2 && servers.contains(pair[0]) && servers.contains(pair[1])) {
                ratios.add(pair);
            }
        }
        // Optional: run every server under "taskset -c CPUS" (start this JVM, the client, under another
        // taskset), so that server and client do not take turns on the same CPU.
        String serverCpus = o.get("server-cpus");
        // Optional: cap every server at a share of one CPU (a cgroup CPU quota, root only), so that the
        // server, not a saturated client, sets the rate.
        CpuQuota quota = !o.containsKey("server-cpu-quota") ? null
                : CpuQuota.create("loop-echo-" + ProcessHandle.current().pid(),
                        Double.parseDouble(o.get("server-cpu-quota")));
        // Killed (SIGTERM, Ctrl-C), the comparison leaves no server running and no group behind.
        Thread cleanUp = new Thread(() -> {
            Process server = running;
            if (server != null) {
                server.destroyForcibly();
                try {
                    server.waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (quota != null) {
                quota.close();
            }
        }, "echo-comparison-clean-up");
        Runtime.getRuntime().addShutdownHook(cleanUp);
        try {
            compare(jar, baseline, servers, ratios, sizes, rounds, connections, seconds, warmup, serverCpus, quota);
        } finally {
            Runtime.getRuntime().removeShutdownHook(cleanUp);
            if (quota != null) {
                quota.close();
            }
        }
    }

    /** The server being measured, for the shutdown hook. */
    private static volatile Process running;

    private static void compare(String jar, String baselineJar, List<String> servers, List<String[]> ratios,
            int[] sizes, int rounds,
            int connections, double seconds, double warmup, String serverCpus, CpuQuota quota) throws Exception {

        Map<String, String> described = new LinkedHashMap<>();
        Map<String, Map<Integer, List<EchoClient.Result>>> results = new LinkedHashMap<>();
        servers.forEach(s -> results.put(s, new LinkedHashMap<>()));
        for (int round = 0; round < rounds; round++) {
            for (int size : sizes) {
                for (int k = 0; k < servers.size(); k++) {
                    String server = servers.get((k + round) % servers.size());
                    List<String> cmd = new ArrayList<>();
                    if (serverCpus != null) {
                        cmd.addAll(List.of("taskset", "-c", serverCpus));
                    }
                    boolean fromBaseline = server.endsWith(BASELINE);
                    cmd.addAll(List.of(javaBinary(), "-jar", fromBaseline ? baselineJar : jar, "--port", "0"));
                    cmd.addAll(KNOWN.get(fromBaseline ? server.substring(0, server.length() - BASELINE.length())
                            : server));
                    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                    running = p;
                    try {
                        if (quota != null) {
                            quota.add(p.pid()); // before the warm-up: the JVM's start-up runs uncapped
                        }
                        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                                StandardCharsets.UTF_8));
                        String line = r.readLine();
                        Matcher m = line == null ? null : LISTENING.matcher(line);
                        if (m == null || !m.find()) {
                            throw new IllegalStateException(server + " did not start: " + line);
                        }
                        described.put(server, m.group(2));
                        // taskset execs java: the child's pid is the server JVM's.
                        EchoClient.Result res = EchoClient.run(Integer.parseInt(m.group(1)), connections, size, warmup,
                                seconds, p.pid());
                        results.get(server).computeIfAbsent(size, x -> new ArrayList<>()).add(res);
                        System.err.printf(Locale.ROOT, "round %d, %6d B, %-14s %,10.0f round trips/s, server %5.2f us "
                                + "CPU per round trip (%3.0f %% busy), client %3.0f %% busy%n", round + 1, size, server,
                                res.roundTripsPerSecond(), res.serverMicrosPerRoundTrip(), 100 * res.serverUtilization(),
                                100 * res.clientUtilization());
                    } finally {
                        p.destroy();
                        if (!p.waitFor(10, TimeUnit.SECONDS)) {
                            p.destroyForcibly().waitFor();
                        }
                        running = null;
                    }
                }
            }
        }
        String table = table(servers, ratios, results, sizes, connections, seconds, rounds, described);
        System.out.println(quota == null ? table : "Each server capped at " + quota + ".\n\n" + table);
    }

    static String table(List<String> servers, List<String[]> ratios,
            Map<String, Map<Integer, List<EchoClient.Result>>> results, int[] sizes, int connections, double seconds,
            int rounds, Map<String, String> described) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%d connections, ping-pong, %s s per run, %d rounds (each runs every "
                + "server back to back); medians, and ratios as the median of the per-round ratios%n%n", connections,
                seconds, rounds));
        sb.append("Round trips per second (higher is better):\n\n");
        metricTable(sb, servers, ratios, results, sizes, EchoClient.Result::roundTripsPerSecond, "%,.0f", false);
        sb.append("\nServer CPU time per round trip in microseconds, user + system, all threads (lower is better); "
                + "ratios are round trips per server CPU-second (higher is better):\n\n");
        metricTable(sb, servers, ratios, results, sizes, EchoClient.Result::serverMicrosPerRoundTrip, "%.2f", true);
        sb.append("\nHow busy each side was, server / client, share of one CPU:\n\n");
        header(sb, servers, List.of());
        double busiestClient = 0;
        for (int size : sizes) {
            sb.append("| ").append(size).append(" B | ");
            for (String server : servers) {
                List<EchoClient.Result> rs = results.get(server).get(size);
                double client = median(rs.stream().map(EchoClient.Result::clientUtilization).toList());
                busiestClient = Math.max(busiestClient, client);
                sb.append(String.format(Locale.ROOT, "%.0f %% / %.0f %% | ",
                        100 * median(rs.stream().map(EchoClient.Result::serverUtilization).toList()), 100 * client));
            }
            sb.append('\n');
        }
        if (busiestClient >= 0.95) {
            sb.append(String.format(Locale.ROOT, "%nThe client used up to %.0f %% of its CPU: the round-trip rate is "
                    + "then set by the client as much as by the server, and servers faster than the client cannot "
                    + "show it in the rate. The CPU time per round trip compares the servers themselves.%n",
                    100 * busiestClient));
        }
        sb.append('\n');
        described.forEach((server, what) -> sb.append("- ").append(server).append(": ").append(what).append('\n'));
        return sb.toString();
    }

    /** A table's header row and separator: the message size, a column per server, then per ratio. */
    private static void header(StringBuilder sb, List<String> servers, List<String[]> ratios) {
        sb.append("| message | ");
        servers.forEach(s -> sb.append(s).append(" | "));
        ratios.forEach(r -> sb.append(r[0]).append(" / ").append(r[1]).append(" | "));
        sb.append("\n|---|");
        servers.forEach(s -> sb.append("---|"));
        ratios.forEach(r -> sb.append("---|"));
        sb.append('\n');
    }

    /** One row per size: the median of {@code metric} per server, then the per-round ratios' medians. */
    private static void metricTable(StringBuilder sb, List<String> servers, List<String[]> ratios,
            Map<String, Map<Integer, List<EchoClient.Result>>> results, int[] sizes,
            ToDoubleFunction<EchoClient.Result> metric, String format, boolean lowerIsBetter) {
        header(sb, servers, ratios);
        for (int size : sizes) {
            sb.append("| ").append(size).append(" B | ");
            for (String server : servers) {
                List<Double> values = results.get(server).get(size).stream().map(metric::applyAsDouble).toList();
                sb.append(String.format(Locale.ROOT, format + " | ", median(values)));
            }
            for (String[] r : ratios) {
                List<EchoClient.Result> a = results.get(r[0]).get(size);
                List<EchoClient.Result> b = results.get(r[1]).get(size);
                List<Double> perRound = new ArrayList<>();
                for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                    double x = metric.applyAsDouble(a.get(i));
                    double y = metric.applyAsDouble(b.get(i));
                    perRound.add(lowerIsBetter ? y / x : x / y);
                }
                sb.append(String.format(Locale.ROOT, "%.2fx | ", median(perRound)));
            }
            sb.append('\n');
        }
    }

    private static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse("java");
    }
}
