package dev.loop.internal.transport;

import dev.loop.internal.engine.Loop;
import dev.loop.transport.WriteBufferLimits;

/**
 * A transport's buffered bytes against its write-buffer marks (asyncio's {@code _FlowControlMixin}): the
 * protocol's {@code pauseWriting} once the count goes above the high mark, {@code resumeWriting} once it falls to
 * the low mark, alternating, starting with a pause. Shared by the stream and datagram transports. Loop thread.
 */
final class WriteMarks {

    private final Loop loop;
    private final int fd;
    private final Runnable pause;
    private final Runnable resume;
    private WriteBufferLimits limits = WriteBufferLimits.DEFAULT;
    private long pending;
    private boolean paused;

    /** {@code pause} and {@code resume} call the protocol's {@code pauseWriting} and {@code resumeWriting}. */
    WriteMarks(Loop loop, int fd, Runnable pause, Runnable resume) {
        this.loop = loop;
        this.fd = fd;
        this.pause = pause;
        this.resume = resume;
    }

    long pending() {
        return pending;
    }

    /** {@code n} more bytes wait; the caller calls {@link #check()} when the write that added them is done. */
    void added(long n) {
        pending += n;
    }

    /** {@code n} bytes left: the protocol may resume. */
    void removed(long n) {
        pending -= n;
        if (paused && pending <= limits.low()) {
            paused = false;
            call(resume, "protocol.resumeWriting() failed");
        }
    }

    /** Everything buffered was dropped (an abort). */
    void cleared() {
        pending = 0;
    }

    /** Above the high mark: the protocol pauses. */
    void check() {
        if (!paused && pending > limits.high()) {
            paused = true;
            call(pause, "protocol.pauseWriting() failed");
        }
    }

    void setLimits(long high, long low) {
        limits = new WriteBufferLimits(high, low);
        check();
    }

    WriteBufferLimits limits() {
        return limits;
    }

    private void call(Runnable callback, String failure) {
        try {
            callback.run();
        } catch (RuntimeException | Error e) {
            loop.reportError(failure, e, null, fd, null);
        }
    }
}
