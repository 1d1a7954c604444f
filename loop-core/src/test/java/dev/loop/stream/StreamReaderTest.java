package dev.loop.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.loop.EventLoop;
import dev.loop.EventLoops;

/**
 * The reader's rules, fed directly as CPython's {@code test_streams} feeds its StreamReader: what each read
 * returns, the limits and their errors, the end of the stream, one waiting read at a time. Over real sockets
 * on every backend: {@code StreamConformance}.
 */
class StreamReaderTest {

    private final EventLoop loop = EventLoops.create();

    @AfterEach
    void close() {
        loop.close();
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }

    private <T> T run(CompletableFuture<T> f) {
        return loop.runUntilComplete(f);
    }

    /** A reader with {@code chunks} already fed (the loop is not running: this thread may act as its thread). */
    private StreamReader reader(int limit, String... chunks) {
        StreamReader r = new StreamReader(loop, limit);
        for (String c : chunks) {
            r.feedData(bytes(c));
        }
        return r;
    }

    private Throwable failure(CompletableFuture<?> f) {
        try {
            run(f);
        } catch (CompletionException e) {
            return e.getCause();
        }
        throw new AssertionError("did not fail");
    }

    @Test
    void readReturnsWhatIsBufferedUpToN() {
        StreamReader r = reader(100, "line1", "line2");
        assertThat(text(run(r.read(7)))).isEqualTo("line1li");
        assertThat(text(run(r.read(100)))).isEqualTo("ne2");
        loop.callSoon(r::feedEof);
        assertThat(run(r.read(5))).as("the end of the stream").isEmpty();
        assertThat(r.atEof()).isTrue();
    }

    @Test
    void readAllWaitsForTheEnd() {
        StreamReader r = reader(100, "a", "b");
        CompletableFuture<byte[]> all = r.read(-1);
        loop.callLater(java.time.Duration.ofMillis(5), () -> {
            r.feedData(bytes("c"));
            r.feedEof();
        });
        assertThat(text(run(all))).isEqualTo("abc");
    }

    @Test
    void readLineAndReadUntil() {
        StreamReader r = reader(100, "chunk1 ", "chunk2 ", "chunk3 \n chunk4 \r\n--x");
        assertThat(text(run(r.readLine()))).isEqualTo("chunk1 chunk2 chunk3 \n");
        assertThat(run(r.readLineText())).isEqualTo(" chunk4 ");
        assertThat(text(run(r.readUntil(new byte[] {'-', '-'})))).isEqualTo("--");
        loop.callSoon(r::feedEof);
        assertThat(text(run(r.readLine()))).as("what is left at the end").isEqualTo("x");
        assertThat(run(r.readLine())).isEmpty();
        assertThat(run(r.readLineText())).isNull();
    }

    @Test
    void readUntilAtTheEndFailsWithThePartialBytes() {
        StreamReader r = reader(100, "no separator");
        loop.callSoon(r::feedEof);
        Throwable e = failure(r.readUntil(new byte[] {'!'}));
        assertThat(e).isInstanceOf(IncompleteReadException.class);
        assertThat(text(((IncompleteReadException) e).partial())).isEqualTo("no separator");
        assertThat(((IncompleteReadException) e).expected()).isEqualTo(-1);
    }

    /** CPython's test_readuntil_limit_found_sep and test_readline_limit. */
    @Test
    void limitsFailReadUntilAndReadLineWithLimitOverrun() {
        StreamReader r = reader(3, "some dataAA");
        Throwable notFound = failure(r.readUntil(new byte[] {'A', 'A', 'A'}));
        assertThat(notFound).isInstanceOf(LimitOverrunException.class).hasMessageContaining("not found");
        assertThat(text(run(r.read(100)))).as("readUntil leaves the bytes").isEqualTo("some dataAA");

        StreamReader lines = reader(7, "1234567\n", "1234567890\n", "ok\n");
        assertThat(text(run(lines.readLine()))).isEqualTo("1234567\n");
        Throwable tooLong = failure(lines.readLine());
        assertThat(tooLong).isInstanceOf(LimitOverrunException.class);
        assertThat(text(run(lines.readLine()))).as("readLine dropped the long line").isEqualTo("ok\n");
    }

    @Test
    void readExactlyRefusesANegativeSizeAndReturnsNothingForZero() {
        StreamReader r = reader(100);
        assertThatThrownBy(() -> r.readExactly(-1).join()).hasCauseInstanceOf(IllegalArgumentException.class);
        assertThat(run(r.readExactly(0))).isEmpty();
        assertThatThrownBy(() -> r.readUntil(new byte[0]).join()).hasCauseInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void oneReadWaitsAtATime() {
        StreamReader r = reader(100);
        CompletableFuture<byte[]> first = r.read(10);
        CompletableFuture<byte[]> second = r.readLine();
        assertThat(failure(second)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("another read is already waiting");
        loop.callSoon(() -> r.feedData(bytes("x")));
        assertThat(text(run(first))).isEqualTo("x");
    }

    /** A cancelled read takes nothing (asyncio's prompt cancellation): the bytes wait for the next read. */
    @Test
    void aCancelledReadTakesNoByte() {
        StreamReader r = reader(100);
        CompletableFuture<byte[]> cancelled = r.readExactly(3);
        cancelled.cancel(false);
        r.feedData(bytes("abc"));
        assertThat(text(run(r.read(10)))).isEqualTo("abc");
        assertThat(cancelled).isCancelled();
    }

    /** The line a cancelled readLine waited for is the next read's (it was dropped: a composed future hid the read). */
    @Test
    void aCancelledReadLineTakesNoByte() {
        StreamReader r = reader(100);
        CompletableFuture<byte[]> line = r.readLine();
        CompletableFuture<String> text = r.readLineText();
        assertThat(text).as("one read waits at a time").isCompletedExceptionally();
        line.cancel(false);
        text = r.readLineText();
        text.cancel(false);
        r.feedData(bytes("line\n"));
        assertThat(line).isCancelled();
        assertThat(text).isCancelled();
        assertThat(text(r.read(10).getNow(null))).isEqualTo("line\n");
    }

    /** read(-1) gathers as data comes; cancelled, it puts back what it gathered. */
    @Test
    void aCancelledReadToTheEndPutsBackWhatItGathered() {
        StreamReader r = reader(4);
        CompletableFuture<byte[]> all = r.read(-1);
        r.feedData(bytes("abc"));
        r.feedData(bytes("def"));
        all.cancel(false);
        r.feedData(bytes("gh"));
        assertThat(text(r.readExactly(8).getNow(null))).isEqualTo("abcdefgh");
    }

    /**
     * Cancels from another thread race the loop thread delivering the line: whichever wins, no line is lost or
     * doubled. The lines the reads that were not cancelled got, then what is left, are every line fed, in order.
     */
    @Test
    void readsCancelledFromAnotherThreadWhileTheLineArrivesLoseNothing() throws Exception {
        loop.start();
        StreamReader r = loop.submit(() -> new StreamReader(loop, 100)).get(10, java.util.concurrent.TimeUnit.SECONDS);
        StringBuilder fed = new StringBuilder();
        java.util.List<CompletableFuture<String>> reads = new java.util.ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            String line = "line " + i + "\n";
            fed.append(line);
            CompletableFuture<String> read = r.readLineText();
            loop.execute(() -> r.feedData(bytes(line)));
            if (i % 2 == 0) {
                read.cancel(false); // before, during or after the delivery, as the threads run
            }
            reads.add(read);
            try {
                read.get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.CancellationException e) {
                // cancelled first: the line stays for the next read
            }
        }
        StringBuilder got = new StringBuilder();
        int cancelled = 0;
        for (CompletableFuture<String> read : reads) {
            if (read.isCancelled()) {
                cancelled++;
            } else {
                got.append(read.join()).append('\n');
            }
        }
        loop.execute(r::feedEof);
        got.append(text(r.read(-1).get(10, java.util.concurrent.TimeUnit.SECONDS)));
        assertThat(got.toString()).isEqualTo(fed.toString());
        assertThat(cancelled).as("the cancels came in time at least sometimes").isPositive();
    }

    @Test
    void anErrorFailsTheWaitingReadAndTheNextOnes() {
        StreamReader r = reader(100);
        CompletableFuture<byte[]> waiting = r.readExactly(5);
        loop.callSoon(() -> r.setException(new java.io.IOException("reset")));
        assertThat(failure(waiting)).hasMessage("reset");
        assertThat(failure(r.read(1))).hasMessage("reset");
    }

    /** Reads chained on buffered data run on a flat stack: 100,000 lines, one read each, no StackOverflowError. */
    @Test
    void chainedReadsOnBufferedDataDoNotGrowTheStack() {
        StreamReader r = new StreamReader(loop, 1 << 20);
        int lines = 100_000;
        loop.callSoon(() -> {
            r.feedData(bytes("x\n".repeat(lines)));
            r.feedEof();
        });
        CompletableFuture<Integer> counted = new CompletableFuture<>();
        readAll(r, 0, counted);
        assertThat(run(counted)).isEqualTo(lines);
    }

    private static void readAll(StreamReader r, int n, CompletableFuture<Integer> counted) {
        r.readLine().whenComplete((line, e) -> {
            if (e != null) {
                counted.completeExceptionally(e);
            } else if (line.length == 0) {
                counted.complete(n);
            } else {
                try {
                    readAll(r, n + 1, counted);
                } catch (Throwable t) { // a StackOverflowError would otherwise vanish into the future
                    counted.completeExceptionally(t);
                }
            }
        });
    }
}
