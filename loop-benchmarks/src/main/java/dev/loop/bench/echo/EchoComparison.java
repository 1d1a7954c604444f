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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the echo comparison: each server in its own JVM ({@code java -jar loop-echo.jar --server X
 * --port 0}), one after another and in a rotating order per round, under the same {@link EchoClient}
 * load, and prints a markdown table with the medians and the ratios asked for.
 *
 * <pre>java -cp loop-benchmarks/target/loop-echo.jar dev.loop.bench.echo.EchoComparison \
 *     [--seconds 10] [--warmup 3] [--rounds 3] [--connections 50] [--sizes 64,1024,16384] [--server-cpus 1] \
 *     [--servers loop-epoll,loop-proactor,netty-epoll,netty-io_uring,netty-nio,jdk-nio] \
 *     [--ratios loop-proactor/netty-io_uring,loop-proactor/loop-epoll,loop-epoll/netty-epoll,loop-epoll/jdk-nio]</pre>
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
        List<String> servers = List.of(o.getOrDefault("servers", DEFAULT_SERVERS).split(","));
        for (String server : servers) {
            if (!KNOWN.containsKey(server)) {
                throw new IllegalArgumentException("unknown server " + server + "; known: " + KNOWN.keySet());
            }
        }
        List<String[]> ratios = new ArrayList<>();
        for (String r : o.getOrDefault("ratios", DEFAULT_RATIOS).split(",")) {
            String[] pair = r.split("/");
            if (pair.length == 2 && servers.contains(pair[0]) && servers.contains(pair[1])) {
                ratios.add(pair);
            }
        }
        // Optional: run every server under "taskset -c CPUS" (start this JVM, the client, under another
        // taskset), so that server and client do not take turns on the same CPU.
        String serverCpus = o.get("server-cpus");

        Map<String, String> described = new LinkedHashMap<>();
        Map<String, Map<Integer, List<Double>>> results = new LinkedHashMap<>();
        servers.forEach(s -> results.put(s, new LinkedHashMap<>()));
        for (int round = 0; round < rounds; round++) {
            for (int size : sizes) {
                for (int k = 0; k < servers.size(); k++) {
                    String server = servers.get((k + round) % servers.size());
                    List<String> cmd = new ArrayList<>();
                    if (serverCpus != null) {
                        cmd.addAll(List.of("taskset", "-c", serverCpus));
                    }
                    cmd.addAll(List.of(javaBinary(), "-jar", jar, "--port", "0"));
                    cmd.addAll(KNOWN.get(server));
                    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                    try {
                        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                                StandardCharsets.UTF_8));
                        String line = r.readLine();
                        Matcher m = line == null ? null : LISTENING.matcher(line);
                        if (m == null || !m.find()) {
                            throw new IllegalStateException(server + " did not start: " + line);
                        }
                        described.put(server, m.group(2));
                        EchoClient.Result res = EchoClient.run(Integer.parseInt(m.group(1)), connections, size, warmup,
                                seconds);
                        results.get(server).computeIfAbsent(size, x -> new ArrayList<>()).add(res.roundTripsPerSecond());
                        System.err.printf(Locale.ROOT, "round %d, %6d B, %-12s %,12.0f round trips/s%n", round + 1, size,
                                server, res.roundTripsPerSecond());
                    } finally {
                        p.destroy();
                        if (!p.waitFor(10, TimeUnit.SECONDS)) {
                            p.destroyForcibly().waitFor();
                        }
                    }
                }
            }
        }
        System.out.println(table(servers, ratios, results, sizes, connections, seconds, rounds, described));
    }

    static String table(List<String> servers, List<String[]> ratios, Map<String, Map<Integer, List<Double>>> results,
            int[] sizes, int connections, double seconds, int rounds, Map<String, String> described) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%d connections, ping-pong, %s s per run, median of %d rounds; "
                + "round trips per second (higher is better)%n%n", connections, seconds, rounds));
        sb.append("| message | ");
        servers.forEach(s -> sb.append(s).append(" | "));
        ratios.forEach(r -> sb.append(r[0]).append(" / ").append(r[1]).append(" | "));
        sb.append("\n|---|");
        servers.forEach(s -> sb.append("---|"));
        ratios.forEach(r -> sb.append("---|"));
        sb.append('\n');
        for (int size : sizes) {
            sb.append("| ").append(size).append(" B | ");
            Map<String, Double> med = new LinkedHashMap<>();
            for (String server : servers) {
                med.put(server, median(results.get(server).get(size)));
                sb.append(String.format(Locale.ROOT, "%,.0f | ", med.get(server)));
            }
            for (String[] r : ratios) {
                sb.append(String.format(Locale.ROOT, "%.2fx | ", med.get(r[0]) / med.get(r[1])));
            }
            sb.append('\n');
        }
        sb.append('\n');
        described.forEach((server, what) -> sb.append("- ").append(server).append(": ").append(what).append('\n'));
        return sb.toString();
    }

    private static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse("java");
    }
}
