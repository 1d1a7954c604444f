package dev.loop.transport;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

import dev.loop.EventLoop;

/**
 * A datagram endpoint: a UDP socket (IPv4 or IPv6) or a unix datagram socket, connected or not (asyncio's
 * {@code DatagramTransport}). <em>Loop thread</em> only, like the protocol's callbacks.
 *
 * <p><b>Sending never blocks.</b> A datagram the kernel does not take at once is copied and queued, and sent
 * in order when the socket is writable; the caller may reuse its buffer after {@code sendto} returns. The queue
 * counts each datagram's length plus 8 bytes (asyncio's rule) against the same marks as a stream transport's
 * write buffer (64 KiB high, 16 KiB low): above the high mark the protocol's {@code pauseWriting()} is called,
 * and {@code resumeWriting()} once it drains to the low mark. A datagram the kernel refuses with an error is
 * dropped and the error goes to {@link DatagramProtocol#errorReceived}.
 */
public interface DatagramTransport {

    /** The loop this endpoint belongs to. */
    EventLoop loop();

    DatagramProtocol protocol();

    /** The socket underneath (owned by the transport: do not close it). */
    int fd();

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
     * Stops receiving, sends what is queued, then closes and calls {@code connectionLost(null)} (always later,
     * from a callback). Idempotent.
     */
    void close();

    /** Closes at once, dropping queued datagrams; {@code connectionLost(null)} follows. */
    void abort();

    /** Whether {@link #close()} or {@link #abort()} was called or the endpoint failed. */
    boolean isClosing();

    /**
     * Stops calling {@code datagramReceived} until {@link #resumeReading()}: datagrams wait in the socket's
     * receive buffer, and the kernel drops what does not fit (UDP's rule). Idempotent.
     */
    void pauseReading();

    void resumeReading();

    boolean isReading();

    /** The address the socket is bound to. */
    SocketAddress localAddress();

    /** The peer's address of a connected endpoint, else {@code null}. */
    SocketAddress remoteAddress();

    /**
     * asyncio's {@code get_extra_info}: {@code "peername"}, {@code "sockname"}, {@code "socket"} (the fd);
     * {@code null} for anything else.
     */
    Object extraInfo(String name);

    /**
     * Joins multicast group {@code group} on {@code networkInterface} ({@code null}: the one the kernel picks
     * for the group's route). The group's family must be the socket's.
     *
     * @throws dev.loop.NativeIOException when the kernel refuses (no such interface, not a multicast address)
     */
    void joinGroup(InetAddress group, NetworkInterface networkInterface) throws dev.loop.NativeIOException;

    /** Leaves a group joined with {@link #joinGroup}. */
    void leaveGroup(InetAddress group, NetworkInterface networkInterface) throws dev.loop.NativeIOException;

    /**
     * Sets the queue's marks: {@code pauseWriting()} when the queue exceeds {@code high},
     * {@code resumeWriting()} when it falls to {@code low} or below. Checked at once.
     *
     * @throws IllegalArgumentException unless {@code high >= low >= 0}
     */
    void setWriteBufferLimits(long high, long low);

    WriteBufferLimits writeBufferLimits();

    /** Bytes of queued datagrams, each counted with 8 bytes more (asyncio's rule). */
    long writeBufferSize();
}
