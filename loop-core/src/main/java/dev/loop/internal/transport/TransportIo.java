package dev.loop.internal.transport;

import java.nio.ByteBuffer;

/**
 * How one transport's bytes move: the mechanism axis of a {@link StreamTransport} (the shape is the other).
 * {@link ReadinessTransportIo} reads and writes when the descriptor is ready; the proactor's
 * {@code CompletionTransportIo} keeps io_uring operations in flight. Made by {@link StreamIo#newTransportIo}
 * for one transport, whose events it reports back through {@link StreamTransport}'s I/O methods
 * ({@code dataRead}, {@code written}, ...). Loop thread.
 */
public interface TransportIo extends TransportState.Io {

    /** Starts delivering data (idempotent); what a pause leaves in flight is delivered on the next start. */
    void startReading();

    /** Stops delivering data: a pause (the transport is not closing) may keep a read in flight and park its result. */
    void stopReading();

    /** For a write pipe: reports, as {@link StreamTransport#peerClosed()}, that its reader went away. */
    void watchPeerClose();

    /**
     * Takes the remaining bytes of {@code data}: written now, or buffered and counted with
     * {@link StreamTransport#bytesBuffered(long)}; their later writing is reported with
     * {@link StreamTransport#written(long)}.
     */
    void send(ByteBuffer data);

    /** Drops every buffered write (the connection is being aborted). */
    void discardWrites();

    /**
     * Stops all I/O and closes the descriptor, at once or (for operations the kernel still holds) as soon as
     * they have completed.
     */
    void close();
}
