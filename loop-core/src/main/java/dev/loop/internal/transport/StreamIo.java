package dev.loop.internal.transport;

import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntPredicate;

/**
 * How a loop moves stream bytes: the one seam between the transport layer (servers, connections, pipes,
 * subprocess pipes, the sock_* operations) and a backend. {@link ReadinessStreamIo} does it with reader and
 * writer callbacks; the proactor's {@code CompletionStreamIo} with io_uring operations. Loop thread only.
 */
public interface StreamIo {

    /** A wait started by {@link #awaitReady}. */
    interface Wait {
        /** Stops waiting; the callback is not called any more. */
        void cancel();
    }

    /** The I/O of transport {@code owner} over {@code fd} ({@code socket}: send and recv, else write and read). */
    TransportIo newTransportIo(StreamTransport owner, int fd, boolean socket);

    /** The I/O of datagram endpoint {@code owner} over socket {@code fd} ({@code unix}: AF_UNIX, else UDP). */
    DatagramIo newDatagramIo(DatagramSocketTransport owner, int fd, boolean unix);

    /**
     * Accepts connections on {@code listener} until {@link #stopAccepting}: each result, a new
     * non-blocking close-on-exec descriptor or {@code -errno}, goes to {@code sink}, which returns whether
     * to go on. At most {@code maxPerEvent} results are handed over per loop step.
     */
    void startAccepting(int listener, int maxPerEvent, IntPredicate sink);

    /** Stops accepting on {@code listener}; a connection accepted meanwhile is closed. */
    void stopAccepting(int listener);

    /**
     * Connects {@code fd} to {@code target}. With {@code ownsFd}, a failed or cancelled connect closes
     * the socket (once the kernel no longer uses it).
     */
    CompletableFuture<Void> connect(int fd, SocketAddress target, boolean ownsFd);

    /**
     * Calls {@code onReady} once {@code fd} is readable ({@code write}: writable), or in error, until the wait
     * is cancelled; it may be called again while the descriptor stays ready, so the caller tries its
     * operation, and waits again or cancels. For the sock_* operations on an application's socket.
     */
    Wait awaitReady(int fd, boolean write, Runnable onReady);
}
