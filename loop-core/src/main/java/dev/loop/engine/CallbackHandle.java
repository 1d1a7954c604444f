package dev.loop.engine;

import dev.loop.Handle;

/**
 * A callback in the ready queue. I/O readiness reuses one handle per reader or writer: it is queued
 * again on every step its descriptor is ready, so readiness costs no allocation.
 */
public class CallbackHandle implements Handle {

    final Runnable callback;
    /** In debug mode, where the callback was scheduled; otherwise {@code null}. */
    final Throwable scheduledAt;
    private volatile boolean cancelled;

    public CallbackHandle(Runnable callback, Throwable scheduledAt) {
        this.callback = callback;
        this.scheduledAt = scheduledAt;
    }

    @Override
    public void cancel() {
        cancelled = true;
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    public Runnable callback() {
        return callback;
    }

    public Throwable scheduledAt() {
        return scheduledAt;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + callback + (cancelled ? ", cancelled" : "") + "]";
    }
}
