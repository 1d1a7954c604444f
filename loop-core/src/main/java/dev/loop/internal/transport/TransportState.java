package dev.loop.internal.transport;

import java.util.function.Consumer;

import dev.loop.internal.engine.Loop;

/**
 * Where a transport is between open and released, the same for streams and datagrams (asyncio's
 * {@code _SelectorTransport}): reading paused by the protocol, closing (a close waits for the write buffer to
 * empty; an abort or a fatal error drops it), {@code connectionLost} scheduled once, always from a callback, and
 * then the release. Loop thread.
 */
public final class TransportState {

    /** What the state drives in the transport's mechanism. */
    public interface Io {
        void startReading();

        void stopReading();

        void discardWrites();
    }

    private final Loop loop;
    private final Io io;
    private final WriteMarks marks;
    private final Consumer<Throwable> connectionLost;
    private final Runnable release;
    private boolean paused;
    private boolean closing;
    private boolean lostScheduled;
    private boolean released;

    /** {@code connectionLost} calls the protocol's; {@code release} gives the descriptor up, after it. */
    TransportState(Loop loop, Io io, WriteMarks marks, Consumer<Throwable> connectionLost, Runnable release) {
        this.loop = loop;
        this.io = io;
        this.marks = marks;
        this.connectionLost = connectionLost;
        this.release = release;
    }

    /** {@code close()}: stop reading; lost once the buffer is empty (now, or when it has drained). */
    void close(String method) {
        loop.checkThread(method);
        if (closing || released) {
            return;
        }
        closing = true;
        io.stopReading();
        if (marks.pending() == 0) {
            scheduleLost(null);
        }
    }

    /** {@code abort()} and fatal errors: what is buffered is dropped, and the protocol hears of {@code cause}. */
    void forceClose(Throwable cause) {
        if (lostScheduled || released) {
            return;
        }
        if (marks.pending() > 0) {
            io.discardWrites();
            marks.cleared();
        }
        closing = true;
        io.stopReading();
        scheduleLost(cause);
    }

    /** The buffer emptied: a pending close completes. Returns whether one did. */
    boolean drainedWhileClosing() {
        if (closing && marks.pending() == 0) {
            scheduleLost(null);
            return true;
        }
        return false;
    }

    private void scheduleLost(Throwable cause) {
        if (lostScheduled) {
            return;
        }
        lostScheduled = true;
        loop.callSoon(() -> {
            try {
                connectionLost.accept(cause);
            } finally {
                release.run();
            }
        });
    }

    void pauseReading(String method) {
        loop.checkThread(method);
        if (closing || paused) {
            return;
        }
        paused = true;
        io.stopReading();
    }

    void resumeReading(String method) {
        loop.checkThread(method);
        if (closing || !paused) {
            return;
        }
        paused = false;
        io.startReading();
    }

    /** Marks the transport released; false if it was already (release runs once). */
    boolean release() {
        if (released) {
            return false;
        }
        released = true;
        closing = true;
        return true;
    }

    boolean isReading() {
        return !paused && !closing && !released;
    }

    boolean isPaused() {
        return paused;
    }

    boolean isClosing() {
        return closing || released;
    }

    /** Closing was asked for, or the transport is gone (for the checks of writeEof and sendfile). */
    boolean closingRequested() {
        return closing;
    }

    /** Writes are dropped: {@code connectionLost} is scheduled or the descriptor released. */
    boolean isLost() {
        return lostScheduled || released;
    }

    boolean isReleased() {
        return released;
    }

    @Override
    public String toString() {
        return released ? ", closed" : closing ? ", closing" : "";
    }
}
