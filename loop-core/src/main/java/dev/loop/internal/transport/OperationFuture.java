package dev.loop.internal.transport;

import java.util.concurrent.CompletableFuture;

import dev.loop.NativeIOException;

/**
 * The future of a low-level socket operation ({@code sockAccept}, {@code sockRecv}, {@code sockSendAll}...),
 * whose cancellation is exact from any thread: a cancel that succeeds means no byte is consumed or sent on the
 * operation's behalf from then on (asyncio's rule, which its single thread gives for free). The loop thread
 * makes each non-blocking attempt under the future's lock; a cancel from another thread waits for an attempt
 * in progress (one non-blocking system call), and fails when that attempt finished the operation.
 *
 * <p>Completing the future from outside ({@code orTimeout}, {@code completeOnTimeout}, or {@code complete} and
 * {@code completeExceptionally} called by its holder) gives the operation up the same way: where asyncio's
 * {@code wait_for} cancels, a Java caller writes {@code orTimeout}. The operation's own result goes through
 * {@link #settle} and {@link #settleExceptionally}.
 */
final class OperationFuture<T> extends CompletableFuture<T> {

    /** What {@link #attempt} returns once cancelled: nothing was tried. */
    static final Object NOT_RUN = new Object();

    /** Guarded by this: a cancel came first, no attempt may run. */
    private boolean cancelRequested;
    /** Guarded by this: an attempt finished the operation, its result is on its way. */
    private boolean settled;

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return giveUp() ? super.cancel(mayInterruptIfRunning) : isCancelled();
    }

    /** From outside: gives the operation up, unless an attempt already finished it (then refused). */
    @Override
    public boolean complete(T value) {
        return giveUp() && super.complete(value);
    }

    /** From outside ({@code orTimeout} too): gives the operation up, unless an attempt already finished it. */
    @Override
    public boolean completeExceptionally(Throwable ex) {
        return giveUp() && super.completeExceptionally(ex);
    }

    /** No attempt may run from now on, unless one already finished the operation (false: too late). */
    private synchronized boolean giveUp() {
        if (settled) {
            return false;
        }
        cancelRequested = true;
        return true;
    }

    /** Whether it was cancelled or completed from outside: its wait for readiness must go. */
    synchronized boolean givenUp() {
        return cancelRequested;
    }

    /** Loop thread: the result of the attempt that settled the operation. */
    void settle(T value) {
        super.complete(value);
    }

    /** Loop thread: the failure of the attempt that settled the operation. */
    void settleExceptionally(Throwable e) {
        super.completeExceptionally(e);
    }

    /**
     * Loop thread: runs one attempt unless the future was cancelled or completed ({@link #NOT_RUN}). A result
     * other than {@link SocketOperations#AGAIN}, or an exception, settles the operation: a cancel can no longer
     * win, and the caller completes the future with it.
     */
    Object attempt(SocketOperations.Attempt attempt) throws NativeIOException {
        synchronized (this) {
            if (cancelRequested || isDone()) {
                return NOT_RUN;
            }
            settled = true; // an exception settles it too
            Object r = attempt.tryOnce();
            settled = r != SocketOperations.AGAIN;
            return r;
        }
    }
}
