package dev.loop.internal.transport;

import dev.loop.transport.Protocol;

import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntPredicate;

/**
 * How a loop moves stream bytes: the one seam between the transport layer (servers, connections,
 * pipes, subprocess pipes) and a backend. {@link ReadinessStreamIo} does it with reader and writer
 * callbacks; the proactor with io_uring operations. Loop thread only.
 */
public interface StreamIo {

    /** A transport owning {@code fd}; see {@link AbstractStreamTransport}. */
    AbstractStreamTransport newTransport(int fd, AbstractStreamTransport.Kind kind, Protocol protocol,
            boolean watchPeerClose);

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
}
