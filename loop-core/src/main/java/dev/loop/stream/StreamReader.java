package dev.loop.stream;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

import dev.loop.EventLoop;
import dev.loop.internal.engine.Loop;
import dev.loop.transport.Transport;

/**
 * The reading half of a stream connection, asyncio's {@code StreamReader}: bytes the transport delivered,
 * read with {@code read}, {@code readExactly}, {@code readLine} and {@code readUntil}, each a future completed on
 * the loop thread. Callable from any thread (a call from another thread is handed to the loop), so that a
 * virtual thread can {@code join()} a read and block only itself.
 *
 * <p>One read waits at a time: a second one while the first waits for data fails with
 * {@link IllegalStateException}, as in asyncio. More than twice the limit buffered pauses the transport's
 * reading; reading resumes once the buffer is back at the limit, so a reader that does not read holds back
 * its peer instead of growing without bound.
 */
public final class StreamReader {

    /** asyncio's default limit: 64 KiB. */
    public static final int DEFAULT_LIMIT = 64 * 1024;

    private static final byte[] EMPTY = new byte[0];
    private static final int MAX_IMMEDIATE = 32;

    private final Loop loop;
    private final int limit;
    // Loop thread only.
    private byte[] buffer = new byte[256];
    private int start;
    private int end;
    private boolean eof;
    private Throwable exception;
    private Transport transport;
    private boolean paused;
    private Pending pending;
    /** Reads completed at once since the last one that went through the ready queue. */
    private int immediate;
    /** For {@link #atEof()} from any thread. */
    private volatile boolean atEof;

    /** A read that waits: tried again each time data, the end of the stream or an error arrives. */
    private interface Attempt {
        /** Null while it must wait; else what to complete the read's future with. */
        Outcome attempt();
    }

    /** What a read completes with, and the bytes it took from the buffer (put back if its future was cancelled). */
    private record Outcome(Object value, Throwable error, byte[] taken) {
        static Outcome of(byte[] value) {
            return new Outcome(value, null, value);
        }

        static Outcome failed(Throwable error) {
            return new Outcome(null, error, error instanceof IncompleteReadException e ? e.partial() : EMPTY);
        }
    }

    /** The waiting read; {@code gathered}: what {@code read(-1)} took so far (null for other reads). */
    private record Pending(Attempt attempt, CompletableFuture<Object> future, java.io.ByteArrayOutputStream gathered) {
    }

    /** @param limit the most bytes a readUntil or readLine may look at; twice it buffered pauses reading */
    public StreamReader(EventLoop loop, int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be above 0: " + limit);
        }
        this.loop = Streams.engine(loop);
        this.limit = limit;
    }

    public int limit() {
        return limit;
    }

    // ------------------------------------------------------------------ reading (any thread)

    /**
     * Up to {@code n} bytes: what is buffered, else the next bytes to arrive; an empty array at the end of the
     * stream. {@code n < 0} reads everything up to the end of the stream.
     */
    public CompletableFuture<byte[]> read(int n) {
        // To the end: gathered as it comes, so that the buffer (and the transport's pause) stays within the limit.
        java.io.ByteArrayOutputStream all = n < 0 ? new java.io.ByteArrayOutputStream() : null;
        return begin("read()", all, () -> {
            if (exception != null) {
                return Outcome.failed(exception);
            }
            if (n == 0) {
                return Outcome.of(EMPTY);
            }
            if (n < 0) {
                all.writeBytes(take(buffered()));
                return eof ? Outcome.of(all.toByteArray()) : null;
            }
            if (buffered() > 0) {
                return Outcome.of(take(Math.min(n, buffered())));
            }
            return eof ? Outcome.of(EMPTY) : null;
        });
    }

    /** Exactly {@code n} bytes; {@link IncompleteReadException} with what came when the stream ends first. */
    public CompletableFuture<byte[]> readExactly(int n) {
        if (n < 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("readExactly size can not be less "
                    + "than zero: " + n));
        }
        return begin("readExactly()", null, () -> {
            if (exception != null) {
                return Outcome.failed(exception);
            }
            if (buffered() >= n) {
                return Outcome.of(take(n));
            }
            if (eof) {
                return Outcome.failed(new IncompleteReadException(take(buffered()), n));
            }
            return null;
        });
    }

    /**
     * Bytes up to and including {@code separator}. The stream ending first fails it with
     * {@link IncompleteReadException} (the bytes left taken into it); a separator not found within the limit, or
     * found beyond it, with {@link LimitOverrunException}, leaving the bytes in the reader.
     */
    public CompletableFuture<byte[]> readUntil(byte[] separator) {
        if (separator.length == 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("Separator should be at least "
                    + "one-byte string"));
        }
        return begin("readUntil()", null, untilAttempt(separator.clone()));
    }

    /** asyncio's {@code readuntil} loop: where to look from is kept between attempts. */
    private Attempt untilAttempt(byte[] sep) {
        int[] offset = {0};
        return () -> {
            if (exception != null) {
                return Outcome.failed(exception);
            }
            int found = indexOf(sep, offset[0]);
            if (found >= 0) {
                if (found > limit) {
                    return Outcome.failed(new LimitOverrunException("Separator is found, but chunk is longer than "
                            + "limit", found));
                }
                return Outcome.of(take(found + sep.length));
            }
            offset[0] = Math.max(0, buffered() + 1 - sep.length);
            if (offset[0] > limit) {
                return Outcome.failed(new LimitOverrunException("Separator is not found, and chunk exceed the limit",
                        offset[0]));
            }
            if (eof) {
                return Outcome.failed(new IncompleteReadException(take(buffered()), -1));
            }
            return null;
        };
    }

    /**
     * One line, up to and including {@code \n}; at the end of the stream, what is left (an empty array when
     * nothing is). A line longer than the limit fails with {@link LimitOverrunException} and is dropped (with its
     * {@code \n} when that was found), so that the next readLine starts after it.
     */
    public CompletableFuture<byte[]> readLine() {
        return begin("readLine()", null, lineAttempt(line -> line));
    }

    /** A line as text (UTF-8, without its line ending), or null at the end of the stream. */
    public CompletableFuture<String> readLineText() {
        return begin("readLine()", null, lineAttempt(StreamReader::lineText));
    }

    /**
     * asyncio's {@code readline} over {@link #untilAttempt}: at the end of the stream what is left is the line; past
     * the limit the line is dropped (through its {@code \n} when that was found, else all that is buffered).
     */
    private Attempt lineAttempt(java.util.function.Function<byte[], Object> as) {
        byte[] sep = {'\n'};
        Attempt until = untilAttempt(sep);
        return () -> {
            Outcome o = until.attempt();
            if (o == null) {
                return null;
            }
            if (o.error() instanceof IncompleteReadException incomplete) {
                return new Outcome(as.apply(incomplete.partial()), null, incomplete.partial());
            }
            if (o.error() instanceof LimitOverrunException overrun) {
                int consumed = (int) overrun.consumed();
                byte[] dropped = indexOf(sep, consumed) == consumed ? take(consumed + 1) : take(buffered());
                return new Outcome(null, overrun, dropped);
            }
            return o.error() != null ? o : new Outcome(as.apply(o.taken()), null, o.taken());
        };
    }

    private static String lineText(byte[] line) {
        if (line.length == 0) {
            return null;
        }
        int n = line.length;
        if (line[n - 1] == '\n') {
            n--;
            if (n > 0 && line[n - 1] == '\r') {
                n--;
            }
        }
        return new String(line, 0, n, StandardCharsets.UTF_8);
    }

    /** Whether the stream ended and every byte was read. Any thread. */
    public boolean atEof() {
        return atEof;
    }

    // ------------------------------------------------------------------ fed by the protocol (loop thread)

    void setTransport(Transport transport) {
        this.transport = transport;
    }

    void feedData(ByteBuffer data) {
        int n = data.remaining();
        if (n == 0) {
            return;
        }
        ensureRoom(n);
        data.get(buffer, end, n);
        end += n;
        changed();
        if (transport != null && !paused && buffered() > 2 * limit && !transport.isClosing()) {
            transport.pauseReading();
            paused = true;
        }
        wakeUp();
    }

    void feedEof() {
        eof = true;
        changed();
        wakeUp();
    }

    void setException(Throwable e) {
        exception = e;
        wakeUp();
    }

    Throwable exception() {
        return exception;
    }

    // ------------------------------------------------------------------ inside

    /**
     * Starts a read on the loop thread ({@code Loop.completeOnLoop}: now, or handed to it and owed). The future
     * returned is the one the read completes, so that a cancel from any thread either comes first (the read takes
     * nothing) or finds it completed; a completion the cancel refused puts the bytes back.
     */
    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> begin(String what, java.io.ByteArrayOutputStream gathered, Attempt attempt) {
        CompletableFuture<Object> f = new CompletableFuture<>();
        loop.completeOnLoop(f, () -> start(what, gathered, attempt, f));
        return (CompletableFuture<T>) (CompletableFuture<?>) f;
    }

    /** Completes at once when it can, else waits as the pending read. Loop thread. */
    private void start(String what, java.io.ByteArrayOutputStream gathered, Attempt attempt, CompletableFuture<Object> f) {
        if (livePending() != null) {
            f.completeExceptionally(new IllegalStateException(what + " called while another read is already "
                    + "waiting for incoming data"));
        } else if (immediate >= MAX_IMMEDIATE) {
            // A read that can complete at once gives its caller a completed future; a chain of reads on buffered
            // data then runs each next read inside the last one's callback and recurses once per read (100,000
            // one-byte lines overflowed the stack). Every MAX_IMMEDIATE-th read goes through the ready queue,
            // which unwinds the chain; it holds the place meanwhile and takes no byte before it runs.
            pending = new Pending(() -> null, f, null);
            loop.callSoon(() -> {
                immediate = 0;
                if (pending != null && pending.future() == f) {
                    pending = null;
                }
                attemptOrWait(attempt, f, gathered);
            });
        } else {
            attemptOrWait(attempt, f, gathered);
        }
    }

    private void attemptOrWait(Attempt attempt, CompletableFuture<Object> f, java.io.ByteArrayOutputStream gathered) {
        if (f.isDone()) {
            return; // cancelled before it ran: it takes nothing
        }
        Outcome o = attempt.attempt();
        if (o == null) {
            pending = new Pending(attempt, f, gathered);
        } else {
            immediate++;
            complete(f, o);
        }
    }

    /**
     * The waiting read, unless its caller cancelled it: a cancelled read never takes a byte ({@code read(-1)}'s
     * gathered bytes go back).
     */
    private Pending livePending() {
        if (pending != null && pending.future().isDone()) {
            if (pending.gathered() != null) {
                unread(pending.gathered().toByteArray());
            }
            pending = null;
        }
        return pending;
    }

    /** Tries the waiting read again; cleared before its future completes, whose code may read again at once. */
    private void wakeUp() {
        Pending p = livePending();
        if (p == null) {
            return;
        }
        Outcome o = p.attempt().attempt();
        if (o != null) {
            pending = null;
            complete(p.future(), o);
        }
    }

    /** Completes the read; when a cancel from another thread got there first, what it took goes back. */
    private void complete(CompletableFuture<Object> f, Outcome o) {
        boolean completed = o.error() != null ? f.completeExceptionally(o.error()) : f.complete(o.value());
        if (!completed) {
            unread(o.taken());
        }
    }

    /** Puts {@code taken} back in front of the buffered bytes. */
    private void unread(byte[] taken) {
        if (taken.length == 0) {
            return;
        }
        if (start < taken.length) {
            int live = buffered();
            byte[] room = new byte[Math.max(buffer.length, taken.length + live)];
            System.arraycopy(buffer, start, room, taken.length, live);
            buffer = room;
            start = taken.length;
            end = taken.length + live;
        }
        start -= taken.length;
        System.arraycopy(taken, 0, buffer, start, taken.length);
        changed();
    }

    private int buffered() {
        return end - start;
    }

    private byte[] take(int n) {
        byte[] out = Arrays.copyOfRange(buffer, start, start + n);
        start += n;
        if (start == end) {
            start = 0;
            end = 0;
        }
        changed();
        if (paused && buffered() <= limit && transport != null) {
            paused = false;
            transport.resumeReading();
        }
        return out;
    }

    private void changed() {
        atEof = eof && start == end;
    }

    private void ensureRoom(int n) {
        if (buffer.length - end >= n) {
            return;
        }
        int live = buffered();
        if (live + n <= buffer.length / 2) {
            System.arraycopy(buffer, start, buffer, 0, live); // compact in place
        } else {
            byte[] bigger = new byte[Math.max(buffer.length * 2, live + n)];
            System.arraycopy(buffer, start, bigger, 0, live);
            buffer = bigger;
        }
        start = 0;
        end = live;
    }

    /** Where {@code sep} starts in the buffered bytes at or after {@code from}, or -1. */
    private int indexOf(byte[] sep, int from) {
        int last = buffered() - sep.length;
        outer:
        for (int i = Math.max(0, from); i <= last; i++) {
            for (int j = 0; j < sep.length; j++) {
                if (buffer[start + i + j] != sep[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
