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
 * load, and prints a markdown table with the medians and the ratios against the peers.
 *
 * <pre>java -cp loop-benchmarks/target/loop-echo.jar dev.loop.bench.echo.EchoComparison \
 *     [--seconds 10] [--warmup 3] [--rounds 3] [--connections 50] [--sizes 64,1024,16384] [--server-cpus 1]</pre>
 */
public final class EchoComparison {

    private static final List<String> SERVERS = List.of("loop", "netty-epoll", "netty-nio", "jdk-nio");
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
        String loopArgs = o.getOrDefault("loop-args", "--backend selector --poller epoll");
        // Optional: run every server under "taskset -c CPUS" (start this JVM, the client, under another
        // taskset), so that server and client do not take turns on the same CPU.
        String serverCpus = o.get("server-cpus");

        Map<String, String> described = new LinkedHashMap<>();
        Map<String, Map<Integer, List<Double>>> results = new LinkedHashMap<>();
        SERVERS.forEach(s -> results.put(s, new LinkedHashMap<>()));
        for (int round = 0; round < rounds; round++) {
            for (int size : sizes) {
                for (int k = 0; k < SERVERS.size(); k++) {
                    String server = SERVERS.get((k + round) % SERVERS.size());
                    List<String> cmd = new ArrayList<>();
                    if (serverCpus != null) {
                        cmd.addAll(List.of("taskset", "-c", serverCpus));
                    }
                    cmd.addAll(List.of(javaBinary(), "-jar", jar, "--server", server, "--port", "0"));
                    if (server.equals("loop")) {
                        cmd.addAll(Arrays.asList(loopArgs.split(" ")));
                    }
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
        System.out.println(table(results, sizes, connections, seconds, rounds, described));
    }

    static String table(Map<String, Map<Integer, List<Double>>> results, int[] sizes, int connections, double seconds,
            int rounds, Map<String, String> described) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%d connections, ping-pong, %s s per run, median of %d rounds; "
                + "round trips per second (higher is better)%n%n", connections, seconds, rounds));
        sb.append("| message | ");
        SERVERS.forEach(s -> sb.append(described.getOrDefault(s, s)).append(" | "));
        sb.append("loop / Netty epoll | loop / Netty NIO | loop / JDK NIO |\n|---|");
        SERVERS.forEach(s -> sb.append("---|"));
        sb.append("---|---|---|\n");
        for (int size : sizes) {
            sb.append("| ").append(size).append(" B | ");
            double[] med = new double[SERVERS.size()];
            for (int i = 0; i < SERVERS.size(); i++) {
                med[i] = median(results.get(SERVERS.get(i)).get(size));
                sb.append(String.format(Locale.ROOT, "%,.0f | ", med[i]));
            }
            sb.append(String.format(Locale.ROOT, "%.2fx | %.2fx | %.2fx |%n", med[0] / med[1], med[0] / med[2],
                    med[0] / med[3]));
        }
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
