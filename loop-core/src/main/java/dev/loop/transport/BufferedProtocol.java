package dev.loop.transport;

import java.nio.ByteBuffer;

/**
 * A protocol that receives into its own buffer (asyncio's {@code BufferedProtocol}): no allocation and
 * no copy per read when the buffer is direct, since the kernel writes straight into it. Used instead
 * of {@link #dataReceived}, which is never called on a buffered protocol.
 */
public interface BufferedProtocol extends Protocol {

    /**
     * The buffer to receive into: the transport writes at its position, up to its limit. Must have room
     * ({@code hasRemaining()}); a direct buffer avoids a copy.
     *
     * @param sizeHint how much the transport would like to read, or -1 when it does not know
     */
    ByteBuffer getBuffer(int sizeHint);

    /** {@code nbytes} were written into the buffer from {@link #getBuffer}, whose position moved past them. */
    void bufferUpdated(int nbytes);
}
