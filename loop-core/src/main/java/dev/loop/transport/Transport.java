package dev.loop.transport;

import java.net.SocketAddress;
import java.nio.ByteBuffer;

import dev.loop.EventLoop;

/**
 * One end of a stream: a TCP or unix socket, or a pipe, pty or tty (asyncio's {@code Transport}).
 * <em>Loop thread</em> only, like the protocol's callbacks.
 *
 * <p><b>Writing never blocks and never loses data.</b> What the kernel does not take at once is
 * copied into the transport's buffer and written when the descriptor is writable; the caller may
 * reuse its buffer after {@code write} returns. When the buffer grows above the high-water mark
 * (64 KiB by default) the protocol's {@code pauseWriting()} is called, and {@code resumeWriting()}
 * once it drains to the low-water mark (16 KiB): a producer that respects them keeps memory bounded.
 */
public interface Transport {

    /** The loop this transport belongs to. */
    EventLoop loop();

    Protocol protocol();

    /** The descriptor underneath (owned by the transport: do not close it). */
    int fd();

    /**
     * Writes the remaining bytes of {@code data} (its position moves to its limit). On a transport whose
     * connection is already lost the data is dropped and counted (a warning from the fifth on), as
     * asyncio does.
     *
     * @throws IllegalStateException after {@link #writeEof()} or on a read-only transport
     */
    void write(ByteBuffer data);

    default void write(byte[] data) {
        write(ByteBuffer.wrap(data));
    }

    /** Writes several buffers in order, as one gathering write where the kernel takes them. */
    void writev(ByteBuffer... data);

    /**
     * Closes the write side once the buffer is flushed ({@code shutdown(SHUT_WR)} for sockets, close for
     * write pipes); reading goes on. No-op when closing or already done.
     */
    void writeEof();

    /** Whether {@link #writeEof()} is possible (sockets and write pipes). */
    boolean canWriteEof();

    /**
     * Stops reading, flushes the buffer, then closes and calls {@code connectionLost(null)} (always
     * later, from a callback, never from inside this call). Idempotent.
     */
    void close();

    /** Closes at once, discarding buffered data; {@code connectionLost(null)} follows. */
    void abort();

    /** Whether {@link #close()} or {@link #abort()} was called or the connection was lost. */
    boolean isClosing();

    /** Stops calling {@code dataReceived} until {@link #resumeReading()}. Idempotent. */
    void pauseReading();

    void resumeReading();

    boolean isReading();

    /** The local address of a socket, else {@code null}. */
    SocketAddress localAddress();

    /** The peer's address of a socket, else {@code null}. */
    SocketAddress remoteAddress();

    /**
     * asyncio's {@code get_extra_info}: {@code "peername"}, {@code "sockname"}, {@code "socket"} (the fd of
     * a socket), {@code "pipe"} (the fd of a pipe); {@code null} when not applicable.
     */
    Object extraInfo(String name);

    /**
     * Sets the write buffer's marks: {@code pauseWriting()} when the buffer exceeds {@code high},
     * {@code resumeWriting()} when it falls to {@code low} or below. Checked at once.
     *
     * @throws IllegalArgumentException unless {@code high >= low >= 0}
     */
    void setWriteBufferLimits(long high, long low);

    WriteBufferLimits writeBufferLimits();

    /** Bytes accepted by {@code write} and not yet taken by the kernel. */
    long writeBufferSize();
}
