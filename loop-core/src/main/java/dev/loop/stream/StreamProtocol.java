package dev.loop.stream;

import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

import dev.loop.EventLoop;
import dev.loop.ExceptionContext;
import dev.loop.transport.Protocol;
import dev.loop.transport.Transport;

/**
 * asyncio's {@code StreamReaderProtocol}: feeds a {@link StreamReader} and gives a {@link StreamWriter} its
 * flow control. For a server, it hands each new connection's pair to the application's callback.
 */
final class StreamProtocol implements Protocol {

    private final EventLoop loop;
    private final StreamReader reader;
    private final BiConsumer<StreamReader, StreamWriter> clientConnected;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final List<CompletableFuture<Void>> drainWaiters = new ArrayList<>();
    private StreamWriter writer;
    private boolean writingPaused;
    private boolean lost;

    StreamProtocol(EventLoop loop, int limit, BiConsumer<StreamReader, StreamWriter> clientConnected) {
        this.loop = loop;
        this.reader = new StreamReader(loop, limit);
        this.clientConnected = clientConnected;
    }

    StreamConnection connection() {
        return new StreamConnection(reader, writer);
    }

    @Override
    public void connectionMade(Transport transport) {
        reader.setTransport(transport);
        writer = new StreamWriter(loop, transport, this, reader);
        if (clientConnected != null) {
            try {
                clientConnected.accept(reader, writer);
            } catch (RuntimeException e) {
                loop.callExceptionHandler(ExceptionContext.of("Unhandled exception in the client_connected_cb of a "
                        + "stream server; the connection is closed", e));
                transport.close();
            }
        }
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        reader.feedData(data);
    }

    /** Keeps the transport open after the peer's end of stream: the writer may still answer. */
    @Override
    public boolean eofReceived() {
        reader.feedEof();
        return true;
    }

    @Override
    public void connectionLost(Throwable cause) {
        lost = true;
        if (cause == null) {
            reader.feedEof();
        } else {
            reader.setException(cause);
        }
        List<CompletableFuture<Void>> waiters = List.copyOf(drainWaiters);
        drainWaiters.clear();
        for (CompletableFuture<Void> w : waiters) {
            w.completeExceptionally(cause != null ? cause : new SocketException("Connection lost"));
        }
        if (cause == null) {
            closed.complete(null);
        } else {
            closed.completeExceptionally(cause);
        }
    }

    @Override
    public void pauseWriting() {
        writingPaused = true;
    }

    @Override
    public void resumeWriting() {
        writingPaused = false;
        List<CompletableFuture<Void>> waiters = List.copyOf(drainWaiters);
        drainWaiters.clear();
        waiters.forEach(w -> w.complete(null));
    }

    boolean lost() {
        return lost;
    }

    /** Loop thread: completes {@code drained} when writing is not paused (now, or at the next resume). */
    void drain(CompletableFuture<Void> drained) {
        if (lost) {
            drained.completeExceptionally(new SocketException("Connection lost"));
        } else if (!writingPaused) {
            drained.complete(null);
        } else {
            drainWaiters.add(drained);
        }
    }

    CompletableFuture<Void> closed() {
        return closed;
    }
}
