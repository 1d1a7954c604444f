package dev.loop.stream;

import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The flow control a {@link StreamWriter} waits on (asyncio's {@code FlowControlMixin}): paused and resumed by
 * the transport's high- and low-water marks, lost with the connection. Loop thread only.
 */
final class WriteFlow {

    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final List<CompletableFuture<Void>> drainWaiters = new ArrayList<>();
    private boolean paused;
    private boolean lost;

    void pause() {
        paused = true;
    }

    void resume() {
        paused = false;
        List<CompletableFuture<Void>> waiters = List.copyOf(drainWaiters);
        drainWaiters.clear();
        waiters.forEach(w -> w.complete(null));
    }

    /** The connection is gone: waiting drains fail, {@link #closed()} completes (with {@code cause}, if any). */
    void lost(Throwable cause) {
        lost = true;
        List<CompletableFuture<Void>> waiters = List.copyOf(drainWaiters);
        drainWaiters.clear();
        for (CompletableFuture<Void> w : waiters) {
            w.completeExceptionally(cause != null ? cause : new SocketException("Connection lost"));
        }
        if (cause == null) {
            closed.complete(null);
        } else {
            closed.completeExceptionally(cause);
        }
    }

    boolean lost() {
        return lost;
    }

    /** Completes {@code drained} when writing is not paused (now, or at the next resume). */
    void drain(CompletableFuture<Void> drained) {
        if (lost) {
            drained.completeExceptionally(new SocketException("Connection lost"));
        } else if (!paused) {
            drained.complete(null);
        } else {
            drainWaiters.removeIf(CompletableFuture::isDone); // given up (orTimeout, cancel): not kept until the resume
            drainWaiters.add(drained);
        }
    }

    /** Drains waiting for the resume. */
    int waitingDrains() {
        return drainWaiters.size();
    }

    CompletableFuture<Void> closed() {
        return closed;
    }
}
