package dev.loop.transport;

import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * What a datagram endpoint does with its events (asyncio's {@code DatagramProtocol}). All methods run on the
 * loop thread, in this order: {@link #connectionMade} once, {@link #datagramReceived} and
 * {@link #errorReceived} any number of times, {@link #connectionLost} exactly once; {@link #pauseWriting} and
 * {@link #resumeWriting} alternate in between, starting with a pause.
 *
 * <p>An exception thrown from {@code connectionMade}, {@code datagramReceived} or {@code errorReceived}
 * closes the endpoint as a fatal error (reported to the loop's exception handler, then
 * {@code connectionLost(exception)}).
 */
public interface DatagramProtocol {

    /** The endpoint is ready; {@code transport} is the way to send, pause and close. */
    default void connectionMade(DatagramTransport transport) {
    }

    /**
     * One datagram arrived from {@code address} (the sender's address; for an unbound unix datagram socket an
     * empty path). {@code data} is a new heap buffer owned by the protocol; it may be empty (a zero-length
     * datagram).
     */
    default void datagramReceived(ByteBuffer data, SocketAddress address) {
    }

    /**
     * A send or receive failed, and the endpoint stays open: an ICMP error reported on a connected endpoint
     * ({@code ECONNREFUSED} for "port unreachable"), a datagram too large ({@code EMSGSIZE}), no route. The
     * error is a {@link dev.loop.NativeIOException} naming the call and the errno; the datagram concerned,
     * if any, was dropped.
     */
    default void errorReceived(Exception error) {
    }

    /** The endpoint is closed: {@code cause} is {@code null} for a normal close, else the fatal error. */
    default void connectionLost(Throwable cause) {
    }

    /** The endpoint's send queue went above its high-water mark: stop sending until resumed. */
    default void pauseWriting() {
    }

    /** The send queue drained to its low-water mark: sending may go on. */
    default void resumeWriting() {
    }
}
