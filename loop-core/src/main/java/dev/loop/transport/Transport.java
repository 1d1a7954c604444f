package dev.loop.transport;

import java.nio.ByteBuffer;


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
public interface Transport extends BaseTransport {

    Protocol protocol();

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
     * write pipes, close_notify for TLS); reading goes on. No-op when closing or already done.
     */
    void writeEof();

    /** Whether {@link #writeEof()} is possible (sockets, write pipes and TLS). */
    boolean canWriteEof();

    /**
     * asyncio's {@code get_extra_info}: {@code "peername"}, {@code "sockname"}, {@code "socket"} (the fd of
     * a socket), {@code "pipe"} (the fd of a pipe), and for TLS {@code "peercert"}, {@code "cipher"},
     * {@code "protocol"}, {@code "alpn"}; {@code null} when not applicable.
     */
    @Override
    Object extraInfo(String name);
}
