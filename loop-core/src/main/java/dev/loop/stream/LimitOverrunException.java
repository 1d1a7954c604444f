package dev.loop.stream;

import java.io.IOException;

/**
 * A read up to a separator would take more than the reader's limit (asyncio's {@code LimitOverrunError}).
 * {@link #consumed()} says how many bytes it had to look at; {@code readUntil} leaves them in the reader,
 * {@code readLine} drops them (and the separator, when it was found), as asyncio does.
 */
public class LimitOverrunException extends IOException {

    private static final long serialVersionUID = 1L;

    private final long consumed;

    public LimitOverrunException(String message, long consumed) {
        super(message);
        this.consumed = consumed;
    }

    public long consumed() {
        return consumed;
    }
}
