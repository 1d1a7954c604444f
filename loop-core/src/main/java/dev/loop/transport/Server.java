package dev.loop.transport;

import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A listening server (asyncio's {@code Server}): accepts connections on one or more sockets and gives
 * each a protocol from its factory. Thread-safe: calls from other threads are handed to the loop.
 */
public interface Server {

    /** The addresses it listens on (ports resolved when 0 was asked for); empty once closed. */
    List<SocketAddress> addresses();

    /** Whether it is accepting connections (false while paused after EMFILE, and after close). */
    boolean isServing();

    /** How many accepted connections are still open. */
    int connectionCount();

    /**
     * Stops listening and closes the listening sockets; a unix server removes its socket file.
     * Connections already accepted live on. Idempotent.
     */
    void close();

    /** Closes every accepted connection gracefully (their buffers are flushed). */
    void closeClients();

    /** Aborts every accepted connection. */
    void abortClients();

    /** Completes once the server is closed and every connection it accepted is gone. */
    CompletableFuture<Void> closed();
}
