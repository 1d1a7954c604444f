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

    /**
     * Its listening sockets, descriptor and bound address (asyncio's {@code Server.sockets}), for reading
     * socket options; empty once closed. The descriptors stay the server's: the loop refuses readers and
     * writers on them.
     */
    List<Listener> sockets();

    /** The loop it serves on. */
    dev.loop.EventLoop loop();

    /**
     * Whether it is accepting connections (false before {@link #startServing()} when created with
     * {@link ServerOptions#startServing()} false, while paused after EMFILE, and after close).
     */
    boolean isServing();

    /**
     * Starts accepting, for a server created with {@link ServerOptions#startServing()} false (asyncio's
     * {@code start_serving}); does nothing when it already serves or is closed. Any thread.
     */
    void startServing();

    /**
     * Serves until the server is closed (asyncio's {@code serve_forever}): starts accepting if it did not yet,
     * and returns a future completed when the server closes. Cancelling that future closes the server. Fails
     * with {@link IllegalStateException} when the server is closed, or already served by an earlier call
     * whose future is not done.
     */
    CompletableFuture<Void> serveForever();

    /** How many accepted connections are still open. */
    int connectionCount();

    /**
     * Stops listening and closes the listening sockets; a unix server removes its socket file (unless
     * {@link ServerOptions#cleanupSocket()} is false).
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
