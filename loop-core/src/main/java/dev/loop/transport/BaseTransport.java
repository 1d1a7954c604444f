package dev.loop.transport;

import java.net.SocketAddress;

import dev.loop.EventLoop;

/**
 * What every transport has (asyncio's {@code BaseTransport}, with the reading and write-buffer parts of
 * {@code ReadTransport} and {@code WriteTransport}): the stream {@link Transport} and the {@link DatagramTransport}.
 * <em>Loop thread</em> only, like the protocol's callbacks.
 */
public interface BaseTransport {

    /** The loop this transport belongs to. */
    EventLoop loop();

    /** The descriptor underneath (owned by the transport: do not close it). */
    int fd();

    /**
     * Stops reading, sends what is buffered, then closes and calls the protocol's {@code connectionLost(null)}
     * (always later, from a callback, never from inside this call). Idempotent.
     */
    void close();

    /** Closes at once, discarding what is buffered; {@code connectionLost(null)} follows. */
    void abort();

    /** Whether {@link #close()} or {@link #abort()} was called or the connection was lost. */
    boolean isClosing();

    /** Stops delivering what arrives until {@link #resumeReading()}. Idempotent. */
    void pauseReading();

    void resumeReading();

    boolean isReading();

    /** The local address of a socket, else {@code null}. */
    SocketAddress localAddress();

    /** The peer's address of a connected socket, else {@code null}. */
    SocketAddress remoteAddress();

    /**
     * asyncio's {@code get_extra_info}: {@code "peername"}, {@code "sockname"}, {@code "socket"} (the fd of a
     * socket), and what the kind of transport adds; {@code null} when not applicable.
     */
    Object extraInfo(String name);

    /**
     * Sets the write buffer's marks: the protocol's {@code pauseWriting()} when the buffer exceeds {@code high},
     * {@code resumeWriting()} when it falls to {@code low} or below. Checked at once.
     *
     * @throws IllegalArgumentException unless {@code high >= low >= 0}
     */
    void setWriteBufferLimits(long high, long low);

    WriteBufferLimits writeBufferLimits();

    /** Bytes accepted for writing and not yet taken by the kernel. */
    long writeBufferSize();
}
