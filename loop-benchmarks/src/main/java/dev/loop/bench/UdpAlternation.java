package dev.loop.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@link UdpEchoBenchmark}'s servers compared in short alternating slices instead of rounds of forks. Each party's
 * server runs in a JVM of its own (its loop thread pinned to CPU 1, as in the benchmark), all of them at once; one
 * client (pinned to CPU 0) keeps a window of datagrams in flight to each and drives one party at a time, for one
 * slice, the parties in turn (A B, then B A), for many pairs, while the others wait idle. Half-second slices put
 * what drifts on a shared machine in spells of seconds on both parties of a pair alike.
 *
 * <p>What alternation cannot remove is each JVM's own luck: two servers of the same party, measured this way, came
 * out 0.96x to 1.06x of each other, every pair agreeing. So the unit of comparison is an instance, a fresh set of
 * server JVMs measured over its pairs, and the verdict is a sign test over instances ({@code instances=N}).
 *
 * <pre>
 * java -cp loop-benchmarks/target/loop-benchmarks.jar dev.loop.bench.UdpAlternation \
 *     loop-epoll,loop-proactor [size=64] [client=batch|single] [pairs=60] [slice=500] [warmup=10] [instances=1]
 * </pre>
 *
 * Parties: {@link UdpEchoBenchmark}'s servers, and {@code loop-proactor-multishot}, the proactor receiving with
 * multishot RECVMSG instead of its default readiness and {@code recvmmsg}.
 *
 * <p>Prints per instance each party's median rate and, per party after the first, the median (min..max) of its
 * per-pair ratio to the first, in how many pairs it was above and the sign test's verdict over the pairs; with
 * several instances, the median of the instances' ratios and the sign test over the instances.
 */
public final class UdpAlternation {

    /** One party's measured slices, datagrams per second. */
    record Party(String name, double[] rates) {
        double median() {
            return PairedRatios.median(rates);
        }
    }

    /** One party against the first, pair by pair. */
    record Comparison(String party, PairedRatios ratios) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s / first: %s", party, describe(ratios, "pairs"));
        }
    }

    /** A comparison's ratios and verdict, over {@code unit} (pairs, instances). */
    static String describe(PairedRatios r, String unit) {
        return String.format(Locale.ROOT, "%.3f (%.3f..%.3f), above in %d of %d %s (p = %.3g): %s", r.median(), r.min(),
                r.max(), r.above(), r.above() + r.below(), unit, r.p(), r.verdict(true));
    }

    private UdpAlternation() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            throw new IllegalArgumentException("usage: UdpAlternation <party1,party2,...> [size=64] [client=batch] "
                    + "[pairs=60] [slice=500] [warmup=10] [instances=1]");
        }
        if (args[0].equals("serve")) {
            serve(args[1]);
            return;
        }
        List<String> parties = List.of(args[0].split(","));
        int size = 64;
        String client = "batch";
        int pairs = 60;
        long sliceMillis = 500;
        int warmupSlices = 10;
        int instances = 1;
        for (String a : Arrays.asList(args).subList(1, args.length)) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "size" -> size = Integer.parseInt(kv[1]);
                case "client" -> client = kv[1];
                case "pairs" -> pairs = Integer.parseInt(kv[1]);
                case "slice" -> sliceMillis = Long.parseLong(kv[1]);
                case "warmup" -> warmupSlices = Integer.parseInt(kv[1]);
                case "instances" -> instances = Integer.parseInt(kv[1]);
                default -> throw new IllegalArgumentException("unknown argument: " + a);
            }
        }
        System.out.printf(Locale.ROOT, "UdpAlternation %s, %d B, %s client, %d instances of %d pairs of %d ms slices%n",
                parties, size, client, instances, pairs, sliceMillis);
        List<List<Comparison>> byInstance = new ArrayList<>();
        for (int instance = 0; instance < instances; instance++) {
            // Every instance starts fresh server JVMs: each JVM brings its own luck (code layout, memory), a few
            // percent either way, which alternating slices within one pair of JVMs cannot average out.
            List<Party> results = run(parties, size, client, pairs, sliceMillis, warmupSlices, true);
            System.out.printf(Locale.ROOT, "instance %d:%n", instance + 1);
            for (Party p : results) {
                System.out.printf(Locale.ROOT, "  %-16s median %,.0f datagrams/s (%,.0f..%,.0f)%n", p.name(), p.median(),
                        Arrays.stream(p.rates()).min().orElse(0), Arrays.stream(p.rates()).max().orElse(0));
            }
            List<Comparison> comparisons = compare(results);
            comparisons.forEach(c -> System.out.println("  " + c));
            byInstance.add(comparisons);
        }
        if (instances > 1) {
            double[] even = new double[instances];
            Arrays.fill(even, 1.0);
            for (int i = 0; i < parties.size() - 1; i++) {
                double[] ratios = new double[instances];
                for (int k = 0; k < instances; k++) {
                    ratios[k] = byInstance.get(k).get(i).ratios().median();
                }
                System.out.printf(Locale.ROOT, "%s / %s over %d instances: median %s%n", parties.get(i + 1),
                        parties.get(0), instances, describe(PairedRatios.of(ratios, even), "instances"));
            }
        }
    }

    /** Every party measured in {@code pairs} alternations of {@code sliceMillis} each, after a warm-up. */
    static List<Party> run(List<String> parties, int size, String client, int pairs, long sliceMillis,
            int warmupSlices, boolean pin) throws Exception {
        List<Process> servers = new ArrayList<>();
        List<Driver> drivers = new ArrayList<>();
        byte[] payload = new byte[size];
        new java.util.Random(size).nextBytes(payload);
        try {
            for (String party : parties) {
                Process server = startServer(party);
                servers.add(server);
                drivers.add(Driver.open(client, party, portOf(server, party), payload));
            }
            if (pin && CpuPinning.available()) {
                // Only now: a child inherits its parent thread's CPU mask, and a server JVM started from a thread
                // pinned to CPU 0 would see one CPU and could not pin its loop to CPU 1.
                CpuPinning.pinCurrentThread(0);
            }
            long slice = sliceMillis * 1_000_000L;
            for (int w = 0; w < warmupSlices; w++) {
                for (Driver d : drivers) {
                    d.drive(slice);
                }
            }
            double[][] rates = new double[parties.size()][pairs];
            for (int pair = 0; pair < pairs; pair++) {
                for (int k = 0; k < drivers.size(); k++) {
                    int i = pair % 2 == 0 ? k : drivers.size() - 1 - k; // A B, then B A: a trend within a pair cancels
                    rates[i][pair] = drivers.get(i).drive(slice);
                }
            }
            List<Party> results = new ArrayList<>();
            for (int i = 0; i < parties.size(); i++) {
                results.add(new Party(parties.get(i), rates[i]));
            }
            return results;
        } finally {
            for (Driver d : drivers) {
                d.close();
            }
            for (Process p : servers) {
                p.getOutputStream().close(); // the server's signal to end
            }
            for (Process p : servers) {
                if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            if (pin && CpuPinning.available()) {
                CpuPinning.unpinCurrentThread();
            }
        }
    }

    /** Each party after the first against the first, pair by pair. */
    static List<Comparison> compare(List<Party> results) {
        double[] first = results.get(0).rates();
        return results.subList(1, results.size()).stream()
                .map(p -> new Comparison(p.name(), PairedRatios.of(p.rates(), first))).toList();
    }

    // ---------------------------------------------------------------- the servers, one JVM each

    private static Process startServer(String party) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, BenchLoops.NATIVE_ACCESS, "-cp",
                System.getProperty("java.class.path"), UdpAlternation.class.getName(), "serve", party);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        return pb.start();
    }

    /** Reads the "PORT n" line the server prints once it listens. */
    private static int portOf(Process server, String party) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.US_ASCII));
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith("PORT ")) {
                return Integer.parseInt(line.substring(5).trim());
            }
        }
        throw new IllegalStateException(party + ": the server ended before it listened (exit " + exitOf(server) + ")");
    }

    private static String exitOf(Process p) {
        try {
            return String.valueOf(p.waitFor());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    /** The child: {@code party}'s echo server, as in the benchmark, until its standard input closes. */
    private static void serve(String party) throws Exception {
        UdpEchoBenchmark b = new UdpEchoBenchmark();
        b.server = party;
        b.placement = "pinned";
        InetSocketAddress address = (InetSocketAddress) b.startServer();
        System.out.println("PORT " + address.getPort());
        System.out.flush();
        try {
            while (System.in.read() >= 0) {
                // nothing is sent; the end of input is the signal
            }
        } finally {
            b.tearDown();
        }
    }

    // ---------------------------------------------------------------- the client

    /** One party's client: keeps the window in flight; {@link #drive} answers it for a slice. */
    private abstract static class Driver implements AutoCloseable {
        final String party;

        Driver(String party) {
            this.party = party;
        }

        static Driver open(String kind, String party, int port, byte[] payload) throws IOException {
            InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            return switch (kind) {
                case "batch" -> new Batch(party, server, payload);
                case "single" -> new Single(party, server, payload);
                default -> throw new IllegalArgumentException("client: " + kind);
            };
        }

        /** Receives answers and sends the next datagrams for {@code nanos}: datagrams echoed per second. */
        double drive(long nanos) throws IOException {
            long start = System.nanoTime();
            long end = start + nanos;
            long echoed = 0;
            long now;
            do {
                echoed += step();
                now = System.nanoTime();
            } while (now < end);
            return echoed * 1e9 / (now - start);
        }

        /** Takes what answers there are (at least one) and sends as many: how many. */
        abstract int step() throws IOException;

        @Override
        public abstract void close() throws IOException;
    }

    private static final class Batch extends Driver {
        private final UdpEchoBenchmark.BatchClient client;

        Batch(String party, InetSocketAddress server, byte[] payload) {
            super(party);
            client = new UdpEchoBenchmark.BatchClient(server, payload, UdpEchoBenchmark.WINDOW);
            client.send(UdpEchoBenchmark.WINDOW);
        }

        @Override
        int step() throws IOException {
            int n = client.receive(UdpEchoBenchmark.WINDOW, party);
            client.send(n);
            return n;
        }

        @Override
        public void close() {
            client.close();
        }
    }

    private static final class Single extends Driver {
        private final UdpEchoBenchmark.SingleClient client;

        Single(String party, InetSocketAddress server, byte[] payload) throws IOException {
            super(party);
            client = new UdpEchoBenchmark.SingleClient(server, payload, UdpEchoBenchmark.WINDOW);
        }

        @Override
        int step() throws IOException {
            client.receive(party);
            client.send();
            return 1;
        }

        @Override
        public void close() throws IOException {
            client.close();
        }
    }
}
