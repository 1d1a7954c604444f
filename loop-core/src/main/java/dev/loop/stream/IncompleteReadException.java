package dev.loop.stream;

import java.io.EOFException;

/**
 * The stream ended before a read got what it asked for (asyncio's {@code IncompleteReadError}): {@link #partial()}
 * holds the bytes that came, no longer in the reader.
 */
public class IncompleteReadException extends EOFException {

    private static final long serialVersionUID = 1L;

    private final transient byte[] partial;
    private final long expected;

    /** @param expected the bytes asked for, or -1 when the read waited for a separator */
    public IncompleteReadException(byte[] partial, long expected) {
        super(partial.length + " bytes read on a total of " + (expected < 0 ? "undefined" : Long.toString(expected))
                + " expected bytes");
        this.partial = partial.clone();
        this.expected = expected;
    }

    /** The bytes read before the end of the stream. */
    public byte[] partial() {
        return partial.clone();
    }

    /** The bytes asked for, or -1 for a read up to a separator. */
    public long expected() {
        return expected;
    }
}
