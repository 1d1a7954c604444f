package dev.loop.stream;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

import dev.loop.internal.engine.Loop;
import dev.loop.transport.Transport;

/**
 * The writing half of a stream connection, asyncio's {@code StreamWriter}: writes go to the transport's
 * buffer at once (never blocking); {@link #drain()} completes when that buffer is back under its low-water mark,
 * so a writer that drains after each write never runs ahead of its peer. Callable from any thread: a call from
 * another thread is handed to the loop, with the bytes copied first.
 */
public final class StreamWriter {

    private final Transport transport;
    private final Loop loop;
    private final WriteFlow flow;
    /** The reader of the same connection, whose error a drain reports; null for a child's stdin. */
    private final StreamReader reader;

    StreamWriter(Transport transport, WriteFlow flow, StreamReader reader) {
        this.transport = transport;
        loop = Streams.engine(transport.loop());
        this.flow = flow;
        this.reader = reader;
    }

    public Transport transport() {
        return transport;
    }

    /** The transport's extra information ({@code peername}, {@code sockname}, ...). */
    public Object extraInfo(String name) {
        return transport.extraInfo(name);
    }

    public void write(byte[] data) {
        byte[] copy = onLoopThread() ? data : data.clone();
        run(() -> transport.write(ByteBuffer.wrap(copy)));
    }

    public void write(ByteBuffer data) {
        if (onLoopThread()) {
            transport.write(data);
            return;
        }
        ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data).flip();
        run(() -> transport.write(copy));
    }

    /** Writes {@code text} as UTF-8. */
    public void write(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        run(() -> transport.write(ByteBuffer.wrap(bytes)));
    }

    /** Closes the writing side once the buffer is flushed (the peer reads the end of the stream). */
    public void writeEof() {
        run(transport::writeEof);
    }

    public boolean canWriteEof() {
        return transport.canWriteEof();
    }

    /** Closes the connection once the buffer is flushed; {@link #waitClosed()} tells when it is closed. */
    public void close() {
        run(transport::close);
    }

    public boolean isClosing() {
        return transport.isClosing();
    }

    /**
     * Completes when the write buffer is under its low-water mark (at once when writing is not paused); fails
     * with the reader's error, or with {@link java.net.SocketException} "Connection lost" once the connection is
     * gone.
     */
    public CompletableFuture<Void> drain() {
        return loop.onLoop(() -> {
            CompletableFuture<Void> drained = new CompletableFuture<>();
            Throwable e = reader == null ? null : reader.exception();
            if (e != null) {
                drained.completeExceptionally(e);
            } else if (transport.isClosing() && !flow.lost()) {
                // Closing: let connectionLost come first (asyncio yields once here too), then say what happened.
                loop.callSoon(() -> flow.drain(drained));
            } else {
                flow.drain(drained);
            }
            return drained;
        });
    }

    /** Completes when the connection is closed; fails with the cause when it was lost on an error. */
    public CompletableFuture<Void> waitClosed() {
        return flow.closed();
    }

    private boolean onLoopThread() {
        return Thread.currentThread() == loop.thread();
    }

    /** Now on the loop thread, else handed to it; dropped once the loop closed (it closed the transport too). */
    private void run(Runnable action) {
        loop.runOnLoop(action);
    }
}
