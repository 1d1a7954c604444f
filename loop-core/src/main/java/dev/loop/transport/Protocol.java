package dev.loop.transport;

import java.nio.ByteBuffer;

/**
 * What a stream connection does with its events (asyncio's {@code Protocol}). All methods run on the
 * loop thread, in this order: {@link #connectionMade} once, {@link #dataReceived} any number of times,
 * {@link #eofReceived} at most once, {@link #connectionLost} exactly once. {@link #pauseWriting} and
 * {@link #resumeWriting} alternate in between, starting with a pause.
 *
 * <p>An exception thrown from {@code connectionMade}, {@code dataReceived} or {@code eofReceived}
 * closes the transport as a fatal error (reported to the loop's exception handler, then
 * {@code connectionLost(exception)}).
 */
public interface Protocol {

    /** The connection is up; {@code transport} is the way to write, close and pause. */
    default void connectionMade(Transport transport) {
    }

    /**
     * Bytes arrived. {@code data} is a new heap buffer owned by the protocol from now on (it may be kept,
     * its content is never reused by the transport). At most 256 KiB per call.
     */
    default void dataReceived(ByteBuffer data) {
    }

    /**
     * The peer will send no more (it wrote EOF or closed). Return {@code true} to keep the transport
     * open for writing (half-close: close it yourself later); {@code false} closes it. Read pipes close
     * whatever this returns.
     */
    default boolean eofReceived() {
        return false;
    }

    /**
     * The connection is closed: {@code cause} is {@code null} for a normal close or EOF, or the error
     * (a {@link dev.loop.NativeIOException} for a reset, a broken pipe, ...).
     */
    default void connectionLost(Throwable cause) {
    }

    /** The transport's write buffer went above its high-water mark: stop writing until resumed. */
    default void pauseWriting() {
    }

    /** The write buffer drained to its low-water mark: writing may go on. */
    default void resumeWriting() {
    }
}
