package dev.loop.transport;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * A datagram endpoint: a UDP socket (IPv4 or IPv6) or a unix datagram socket, connected or not (asyncio's
 * {@code DatagramTransport}). <em>Loop thread</em> only, like the protocol's callbacks.
 *
 * <p><b>Sending never blocks.</b> A datagram the kernel does not take at once is copied and queued, and sent
 * in order when the socket is writable; the caller may reuse its buffer after {@code sendto} returns. The queue
 * counts each datagram's length plus 8 bytes (asyncio's rule) against the same marks as a stream transport's
 * write buffer (64 KiB high, 16 KiB low): above the high mark the protocol's {@code pauseWriting()} is called,
 * and {@code resumeWriting()} once it drains to the low mark. A datagram the kernel refuses with an error is
 * dropped and the error goes to {@link DatagramProtocol#errorReceived}. {@code writeBufferSize()} is the queue's
 * count. {@code pauseReading()} leaves datagrams in the socket's receive buffer, where the kernel drops what does
 * not fit (UDP's rule); {@code close()} sends the queue first.
 */
public interface DatagramTransport extends BaseTransport {

    DatagramProtocol protocol();

    /**
     * Sends the remaining bytes of {@code data} (its position moves to its limit) as one datagram to
     * {@code address}; on a connected endpoint {@code address} must be {@code null} or the peer's address. A
     * zero-length datagram is sent too. On an endpoint that is closing, the datagram is dropped and counted (a
     * warning from the fifth on), as asyncio does.
     *
     * @throws IllegalArgumentException for an address other than the peer's on a connected endpoint, or
     *                                  {@code null} on an unconnected one
     */
    void sendto(ByteBuffer data, SocketAddress address);

    /** {@link #sendto(ByteBuffer, SocketAddress)} to the peer of a connected endpoint. */
    default void sendto(ByteBuffer data) {
        sendto(data, null);
    }

    default void sendto(byte[] data) {
        sendto(ByteBuffer.wrap(data), null);
    }

    default void sendto(byte[] data, SocketAddress address) {
        sendto(ByteBuffer.wrap(data), address);
    }

    /**
     * Joins multicast group {@code group} on {@code networkInterface} ({@code null}: the one the kernel picks
     * for the group's route). The group's family must be the socket's.
     *
     * @throws dev.loop.NativeIOException when the kernel refuses (no such interface, not a multicast address)
     */
    void joinGroup(InetAddress group, NetworkInterface networkInterface) throws dev.loop.NativeIOException;

    /** Leaves a group joined with {@link #joinGroup}. */
    void leaveGroup(InetAddress group, NetworkInterface networkInterface) throws dev.loop.NativeIOException;
}
