package dev.loop;

/** A scheduled callback that can be cancelled until it runs. */
public interface Handle {

    /**
     * Cancels the callback; it will not run (if it is already running, it finishes). Idempotent and
     * callable from any thread.
     */
    void cancel();

    /** Whether {@link #cancel()} was called. */
    boolean isCancelled();
}
