package dev.loop.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ScheduledThreadPoolExecutor;

import org.junit.jupiter.api.Test;

/**
 * Runs each benchmark body once, small, and checks it did the work it claims (every timer fired,
 * every callback ran, every hop happened), so that a benchmark cannot silently measure nothing.
 * No timing here: numbers come from JMH only.
 */
class BenchmarkBodiesTest {

    @Test
    void streamEchoBodiesGetEveryLineBack() {
        for (String server : new String[] {"protocol", "protocol-lines", "streams"}) {
            StreamEchoBenchmark b = new StreamEchoBenchmark();
            b.server = server;
            b.setUp();
            try {
                assertThat(b.echoBatch()).as(server).isEqualTo((long) StreamEchoBenchmark.LINES * StreamEchoBenchmark.LINE);
                assertThat(b.echoBatch()).as(server).isEqualTo((long) StreamEchoBenchmark.LINES * StreamEchoBenchmark.LINE);
            } finally {
                b.tearDown();
            }
        }
    }

    /**
     * Both line echoes give back exactly the bytes sent when lines arrive cut anywhere: each piece goes out only once
     * the server has echoed every line completed before it, so the server sees the partial line on its own.
     */
    @Test
    void lineEchoesGiveBackLinesCutAcrossReads() {
        for (String server : new String[] {"protocol-lines", "streams"}) {
            StreamEchoBenchmark b = new StreamEchoBenchmark();
            b.server = server;
            b.setUp();
            try {
                LineCollector echoed = new LineCollector();
                int port = ((java.net.InetSocketAddress) b.echoServer.addresses().get(0)).getPort();
                dev.loop.transport.Transport client =
                        b.loop.runUntilComplete(b.loop.createConnection(() -> echoed, "127.0.0.1", port)).transport();
                byte[] text = ("a\n" + "b".repeat(150) + "\n\n" + "cd\nef" + "g".repeat(70) + "\n" + "x".repeat(5) + "\n")
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                int[] cuts = {1, 2, 3, 40, 100, 153, 154, 157, 158, 160, 200, text.length};
                int sent = 0;
                for (int cut : cuts) {
                    int lineEnd = cut;
                    while (lineEnd > 0 && text[lineEnd - 1] != '\n') {
                        lineEnd--;
                    }
                    java.util.concurrent.CompletableFuture<Void> arrived = echoed.await(lineEnd);
                    client.write(java.util.Arrays.copyOfRange(text, sent, cut));
                    sent = cut;
                    b.loop.runUntilComplete(arrived.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS));
                    assertThat(echoed.bytes.toByteArray()).as(server + " after " + cut + " bytes")
                            .isEqualTo(java.util.Arrays.copyOf(text, lineEnd));
                }
                client.close();
            } finally {
                b.tearDown();
            }
        }
    }

    @Test
    void udpEchoBodiesGetEveryDatagramBackFromEveryServer() throws Exception {
        for (String server : new String[] {"loop-epoll", "loop-proactor", "netty-epoll", "jdk-nio"}) {
            for (String client : new String[] {"single", "batch"}) {
                for (int size : new int[] {64, 1024}) {
                    UdpEchoBenchmark b = new UdpEchoBenchmark();
                    b.server = server;
                    b.client = client;
                    b.size = size;
                    b.placement = "free";
                    b.setUp();
                    try {
                        assertThat(b.echo()).as(server + ", " + client).isEqualTo(size);
                        assertThat(b.echo()).as(server + ", " + client).isEqualTo(size);
                        assertThat(b.lastAnswer()).as(server + ", " + client + ": the bytes sent came back")
                                .isEqualTo(b.payload());
                    } finally {
                        b.tearDown();
                    }
                }
            }
        }
    }

    @Test
    void tlsEchoBodiesGetEveryMessageBackFromEveryServer() throws Exception {
        for (String server : TlsEchoBenchmark.servers()) {
            TlsEchoBenchmark b = new TlsEchoBenchmark();
            b.server = server;
            b.size = 1024;
            b.placement = "free";
            b.setUp();
            try {
                assertThat(b.echoWindow()).as(server).isEqualTo(TlsEchoBenchmark.WINDOW * 1024);
                assertThat(b.echoWindow()).as(server).isEqualTo(TlsEchoBenchmark.WINDOW * 1024);
                for (int i = 0; i < TlsEchoBenchmark.WINDOW; i++) {
                    assertThat(java.util.Arrays.copyOfRange(b.answer, i * 1024, (i + 1) * 1024)).as(server)
                            .isEqualTo(b.message);
                }
            } finally {
                b.tearDown();
            }
        }
    }

    @Test
    void callSoonBodiesRunEveryCallback() {
        CallSoonBenchmark b = new CallSoonBenchmark();
        b.setUp();
        try {
            assertThat(b.loopCallSoon()).isEqualTo(CallSoonBenchmark.BATCH);
            assertThat(b.arrayDequeFloor()).isEqualTo(2L * CallSoonBenchmark.BATCH);
        } finally {
            b.tearDown();
        }
    }

    @Test
    void threadsafeBodiesWaitForEveryTaskOnEveryExecutor() throws Exception {
        for (String executor : new String[] {"loop", "loop-handles", "netty-epoll", "netty-nio"}) {
            CallSoonThreadsafeBenchmark b = new CallSoonThreadsafeBenchmark();
            b.executor = executor;
            b.placement = CpuPinning.available() ? "pinned" : "free";
            b.setUp();
            try {
                b.postBatchAndWait();
                assertThat(b.postBatchAndWait()).isEqualTo(2L * CallSoonThreadsafeBenchmark.BATCH);
                assertThat(b.done.get()).isEqualTo(2L * CallSoonThreadsafeBenchmark.BATCH);
            } finally {
                b.tearDown();
            }
        }
    }

    @Test
    void timerBodiesFireEveryTimer() throws Exception {
        TimerBenchmark b = new TimerBenchmark();
        b.setUp();
        try {
            long[] delays = java.util.Arrays.copyOf(b.delaysNanos, 20_000);
            assertThat(TimerBenchmark.runLoopTimers(b.loop, delays)).isEqualTo(20_000);
            assertThat(TimerBenchmark.runStpeTimers(b.stpe, delays)).isZero();
        } finally {
            b.tearDown();
        }
    }

    @Test
    void pingPongBodiesMakeEveryHop() throws Exception {
        PipePingPongBenchmark b = new PipePingPongBenchmark();
        b.poller = "epoll";
        b.setUp();
        try {
            assertThat(b.loopAddReader()).isEqualTo(2 * PipePingPongBenchmark.ROUND_TRIPS);
            assertThat(b.loopAddReader()).isEqualTo(2 * PipePingPongBenchmark.ROUND_TRIPS);
            assertThat(b.jdkNioSelector()).isEqualTo(2 * PipePingPongBenchmark.ROUND_TRIPS);
        } finally {
            b.tearDown();
        }
    }

    /** The echoed bytes, and a future completed once they reach a count. */
    static final class LineCollector implements dev.loop.transport.Protocol {
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        private int awaited = Integer.MAX_VALUE;
        private java.util.concurrent.CompletableFuture<Void> arrived;

        java.util.concurrent.CompletableFuture<Void> await(int count) {
            awaited = count;
            arrived = new java.util.concurrent.CompletableFuture<>();
            check();
            return arrived;
        }

        @Override
        public void dataReceived(java.nio.ByteBuffer data) {
            bytes.write(data.array(), data.arrayOffset() + data.position(), data.remaining());
            data.position(data.limit());
            check();
        }

        private void check() {
            if (arrived != null && bytes.size() >= awaited) {
                arrived.complete(null);
            }
        }
    }
}
