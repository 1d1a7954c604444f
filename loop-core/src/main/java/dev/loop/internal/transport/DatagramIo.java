package dev.loop.internal.transport;

import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * How one datagram endpoint's datagrams move: the mechanism axis of a {@link DatagramSocketTransport}, as
 * {@link TransportIo} is for streams. {@link ReadinessDatagramIo} receives batches with {@code recvmmsg} and
 * sends with {@code sendto}, the queue with {@code sendmmsg}; the proactor's {@code CompletionDatagramIo} keeps
 * {@code RECVMSG} and {@code SENDMSG} operations in flight. Made by {@link StreamIo#newDatagramIo}; it reports
 * back through the transport's I/O methods ({@code datagramRead}, {@code receiveFailed}, {@code queued},
 * {@code sent}, {@code sendFailed}). Loop thread.
 */
public interface DatagramIo extends TransportState.Io {

    /** A datagram the kernel did not take at once: a copy of its bytes and where it goes ({@code null}: the peer). */
    record Queued(byte[] data, SocketAddress target) {

        /** What the datagram counts against the write-buffer marks: its length plus 8 (asyncio's rule). */
        public long counted() {
            return data.length + DatagramSocketTransport.DATAGRAM_OVERHEAD;
        }
    }

    /** Starts delivering datagrams (idempotent); what a pause left received is delivered first. */
    void startReading();

    /** Stops delivering datagrams: a pause (the transport is not closing) may keep what is already received. */
    void stopReading();

    /**
     * Takes the remaining bytes of {@code data} as one datagram to {@code target} ({@code null}: the connected
     * peer): sent now, or queued and counted with {@link DatagramSocketTransport#queued(long)}; each queued one is
     * later reported with {@link DatagramSocketTransport#sent(long)}, and a refusal with
     * {@link DatagramSocketTransport#sendFailed}.
     */
    void send(ByteBuffer data, SocketAddress target);

    /** Drops every queued datagram (the endpoint is being aborted). */
    void discardWrites();

    /** Stops all I/O and closes the socket, at once or once the kernel gave back its operations. */
    void close();
}
