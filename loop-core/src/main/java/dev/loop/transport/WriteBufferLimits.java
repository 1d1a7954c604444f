package dev.loop.transport;

/**
 * A transport's write-buffer marks (asyncio's defaults: 64 KiB high, 16 KiB low).
 *
 * @param high {@code pauseWriting()} once the buffer holds more than this
 * @param low  {@code resumeWriting()} once it holds this much or less
 */
public record WriteBufferLimits(long high, long low) {

    public static final WriteBufferLimits DEFAULT = new WriteBufferLimits(64 * 1024, 16 * 1024);

    public WriteBufferLimits {
        if (!(high >= low && low >= 0)) {
            throw new IllegalArgumentException("high (" + high + ") must be >= low (" + low + ") must be >= 0");
        }
    }

    /** asyncio's rule: only high given, low = high / 4; only low given, high = 4 * low. */
    public static WriteBufferLimits of(Long high, Long low) {
        if (high == null && low == null) {
            return DEFAULT;
        }
        if (high == null) {
            return new WriteBufferLimits(4 * low, low);
        }
        return new WriteBufferLimits(high, low == null ? high / 4 : low);
    }
}
