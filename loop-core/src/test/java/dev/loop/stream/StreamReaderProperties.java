package dev.loop.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import dev.loop.EventLoop;
import dev.loop.EventLoops;

/**
 * Random sequences of feeds (chunked at random), reads of every kind, cancels, the end of the stream and an
 * error, against a model that is CPython's {@code StreamReader} ({@code Lib/asyncio/streams.py}) written out
 * in Java: each read must complete with what asyncio's would, at the same point of the sequence, and leave
 * the same bytes for the next one. Two rules are ours and the model has them too: a second read while one
 * waits fails even when it could complete at once (asyncio lets it through when it need not wait), and a
 * cancelled {@code read(-1)} gives back what it gathered (asyncio drops it).
 */
class StreamReaderProperties {

    private static final RuntimeException FAILURE = new RuntimeException("the connection failed");
    private static final byte[][] SEPARATORS = {{'\n'}, {'a', 'b'}, {'x', 'a', '\n'}};

    sealed interface Op permits Feed, Eof, Fail, Read, ReadExactly, ReadLine, ReadLineText, ReadUntil, Cancel {
    }

    record Feed(String chunk) implements Op {
    }

    record Eof() implements Op {
    }

    record Fail() implements Op {
    }

    record Read(int n) implements Op {
    }

    record ReadExactly(int n) implements Op {
    }

    record ReadLine() implements Op {
    }

    record ReadLineText() implements Op {
    }

    record ReadUntil(int separator) implements Op {
        byte[] sep() {
            return SEPARATORS[separator];
        }
    }

    record Cancel() implements Op {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> feed = Arbitraries.strings().withChars("ab\nx").ofMinLength(0).ofMaxLength(12).map(Feed::new);
        Arbitrary<Op> read = Arbitraries.integers().between(-1, 12).map(Read::new);
        Arbitrary<Op> exactly = Arbitraries.integers().between(0, 12).map(ReadExactly::new);
        Arbitrary<Op> until = Arbitraries.integers().between(0, SEPARATORS.length - 1).map(ReadUntil::new);
        return Arbitraries.frequencyOf(
                Tuple.of(12, feed), Tuple.of(5, read), Tuple.of(4, exactly), Tuple.of(4, until),
                Tuple.of(4, Arbitraries.just(new ReadLine())), Tuple.of(2, Arbitraries.just(new ReadLineText())),
                Tuple.of(2, Arbitraries.just(new Cancel())), Tuple.of(1, Arbitraries.just(new Eof())),
                Tuple.of(1, Arbitraries.just(new Fail()))).list().ofMaxSize(120);
    }

    @Property(tries = 400)
    void everyReadCompletesAsAsyncioWould(@ForAll("ops") List<Op> ops,
            @ForAll("limits") int limit) {
        try (EventLoop loop = EventLoops.create()) {
            StreamReader reader = new StreamReader(loop, limit);
            Model model = new Model(limit);
            List<CompletableFuture<?>> futures = new ArrayList<>();
            List<Model.Pending> expected = new ArrayList<>();
            CompletableFuture<?> waiting = null;
            for (Op op : ops) {
                if (op instanceof Feed feed) {
                    if (model.eof) {
                        continue; // asyncio asserts: no data after the end
                    }
                    byte[] b = feed.chunk().getBytes(StandardCharsets.US_ASCII);
                    reader.feedData(ByteBuffer.wrap(b));
                    model.feed(b);
                } else if (op instanceof Eof) {
                    reader.feedEof();
                    model.feedEof();
                } else if (op instanceof Fail) {
                    reader.setException(FAILURE);
                    model.fail();
                } else if (op instanceof Cancel) {
                    if (waiting != null) {
                        waiting.cancel(false);
                        model.cancelWaiting();
                    }
                } else {
                    CompletableFuture<?> f = start(reader, op);
                    futures.add(f);
                    Model.Pending r = model.start(op);
                    expected.add(r);
                    if (r.outcome == null) {
                        waiting = f;
                    }
                }
                steps(loop, 2); // a read handed to the ready queue (every 32nd immediate one) runs meanwhile
                if (model.waiting == null) {
                    waiting = null;
                }
                for (int i = 0; i < futures.size(); i++) {
                    assertThat(outcome(futures.get(i))).as("read %d (%s) after %s", i, expected.get(i).op, op)
                            .isEqualTo(expected.get(i).outcomeText());
                }
                assertThat(reader.atEof()).as("atEof after %s", op).isEqualTo(model.eof && model.buffer.size() == 0);
            }
        }
    }

    @Provide
    Arbitrary<Integer> limits() {
        return Arbitraries.of(1, 3, 8, 64);
    }

    private static CompletableFuture<?> start(StreamReader r, Op op) {
        if (op instanceof Read read) {
            return r.read(read.n());
        } else if (op instanceof ReadExactly exactly) {
            return r.readExactly(exactly.n());
        } else if (op instanceof ReadLine) {
            return r.readLine();
        } else if (op instanceof ReadLineText) {
            return r.readLineText();
        } else if (op instanceof ReadUntil until) {
            return r.readUntil(until.sep());
        }
        throw new IllegalArgumentException(op.toString());
    }

    private static void steps(EventLoop loop, int n) {
        loop.runUntilComplete(dev.loop.testsupport.LoopSteps.after(loop, n));
    }

    /** A read's state as text, so that a mismatch reads plainly. */
    private static String outcome(CompletableFuture<?> f) {
        if (!f.isDone()) {
            return "waiting";
        }
        if (f.isCancelled()) {
            return "cancelled";
        }
        try {
            Object v = f.getNow(null);
            return "ok " + (v instanceof byte[] b ? show(b) : v == null ? "null" : "text " + v);
        } catch (CompletionException e) {
            Throwable c = e.getCause();
            if (c instanceof IncompleteReadException i) {
                return "incomplete " + show(i.partial()) + " of " + i.expected();
            } else if (c instanceof LimitOverrunException o) {
                return "overrun at " + o.consumed();
            } else if (c instanceof IllegalStateException) {
                return "busy";
            } else if (c == FAILURE) {
                return "failed";
            }
            return "unexpected " + c;
        }
    }

    private static String show(byte[] b) {
        return "'" + new String(b, StandardCharsets.US_ASCII).replace("\n", "\\n") + "'";
    }

    /** CPython's StreamReader: its buffer, and the one read that may wait, retried as asyncio's loop would. */
    static final class Model {
        final int limit;
        final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        boolean eof;
        RuntimeException exception;
        Pending waiting;

        Model(int limit) {
            this.limit = limit;
        }

        /** One read: the coroutine's state between attempts, and what it completed with (null: waiting). */
        final class Pending {
            final Op op;
            String outcome;
            int offset; // readuntil's: where to look from next time
            final ByteArrayOutputStream gathered = new ByteArrayOutputStream(); // read(-1)'s blocks

            Pending(Op op) {
                this.op = op;
            }

            String outcomeText() {
                return outcome == null ? "waiting" : outcome;
            }

            /** One pass of the coroutine until it would await more data: its outcome, or null. */
            String attempt() {
                if (op instanceof Read r) {
                    return read(r.n());
                } else if (op instanceof ReadExactly r) {
                    return readExactly(r.n());
                } else if (op instanceof ReadUntil r) {
                    return readUntil(r.sep());
                } else if (op instanceof ReadLine) {
                    return readLine(false);
                } else if (op instanceof ReadLineText) {
                    return readLine(true);
                }
                throw new IllegalArgumentException(op.toString());
            }

            private String read(int n) {
                if (exception != null) {
                    return "failed";
                }
                if (n == 0) {
                    return "ok ''";
                }
                if (n < 0) { // read(limit) until b''
                    gathered.writeBytes(take(buffer.size()));
                    return eof ? "ok " + show(gathered.toByteArray()) : null;
                }
                if (buffer.size() == 0 && !eof) {
                    return null;
                }
                return "ok " + show(take(Math.min(n, buffer.size())));
            }

            private String readExactly(int n) {
                if (exception != null) {
                    return "failed";
                }
                if (n == 0) {
                    return "ok ''";
                }
                if (buffer.size() < n) {
                    if (eof) {
                        return "incomplete " + show(take(buffer.size())) + " of " + n;
                    }
                    return null;
                }
                return "ok " + show(take(n));
            }

            /** readuntil's loop: "incomplete"/"overrun at N" as its two exceptions. */
            private String readUntil(byte[] sep) {
                if (exception != null) {
                    return "failed";
                }
                int isep = -1;
                int buflen = buffer.size();
                if (buflen - offset >= sep.length) {
                    isep = find(sep, offset);
                    if (isep == -1) {
                        offset = buflen + 1 - sep.length;
                        if (offset > limit) {
                            return "overrun at " + offset;
                        }
                    }
                }
                if (isep == -1) {
                    if (eof) {
                        return "incomplete " + show(take(buffer.size())) + " of -1";
                    }
                    return null;
                }
                if (isep > limit) {
                    return "overrun at " + isep;
                }
                return "ok " + show(take(isep + sep.length));
            }

            private String readLine(boolean text) {
                String r = readUntil(new byte[] {'\n'});
                if (r == null || r.equals("failed")) {
                    return r;
                }
                if (r.startsWith("overrun at ")) {
                    int consumed = Integer.parseInt(r.substring("overrun at ".length()));
                    byte[] b = buffer.toByteArray();
                    if (consumed < b.length && b[consumed] == '\n') {
                        take(consumed + 1);
                    } else {
                        take(b.length);
                    }
                    return r;
                }
                String line = r.startsWith("incomplete ") ? r.substring("incomplete ".length(), r.lastIndexOf(" of "))
                        : r.substring("ok ".length());
                if (!text) {
                    return "ok " + line;
                }
                String s = line.substring(1, line.length() - 1);
                if (s.isEmpty()) {
                    return "ok null";
                }
                s = s.endsWith("\\n") ? s.substring(0, s.length() - 2) : s; // no \r in this alphabet
                return "ok text " + s.replace("\\n", "\n");
            }
        }

        Pending start(Op op) {
            Pending r = new Pending(op);
            if (waiting != null) {
                r.outcome = "busy";
                return r;
            }
            r.outcome = r.attempt();
            if (r.outcome == null) {
                waiting = r;
            }
            return r;
        }

        void feed(byte[] b) {
            buffer.writeBytes(b);
            wake();
        }

        void feedEof() {
            eof = true;
            wake();
        }

        void fail() {
            exception = FAILURE;
            wake();
        }

        void cancelWaiting() {
            if (waiting == null) {
                return;
            }
            byte[] back = waiting.gathered.toByteArray();
            byte[] rest = buffer.toByteArray();
            buffer.reset();
            buffer.writeBytes(back);
            buffer.writeBytes(rest);
            waiting.outcome = "cancelled";
            waiting = null;
        }

        private void wake() {
            if (waiting != null) {
                String o = waiting.attempt();
                if (o != null) {
                    waiting.outcome = o;
                    waiting = null;
                }
            }
        }

        private byte[] take(int n) {
            byte[] all = buffer.toByteArray();
            buffer.reset();
            buffer.write(all, n, all.length - n);
            return Arrays.copyOf(all, n);
        }

        private int find(byte[] sep, int from) {
            byte[] b = buffer.toByteArray();
            outer:
            for (int i = Math.max(0, from); i <= b.length - sep.length; i++) {
                for (int j = 0; j < sep.length; j++) {
                    if (b[i + j] != sep[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }
}
