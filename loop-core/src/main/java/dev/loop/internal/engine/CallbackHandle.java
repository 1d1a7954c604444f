package dev.loop.internal.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import dev.loop.Handle;

/**
 * A callback in the ready queue: one field, so that handles posted from other threads cost the loop
 * as little cache traffic as possible (four to a cache line). Cancelling clears the callback, which
 * also lets it be collected. I/O readiness reuses one handle per reader or writer: it is queued again
 * on every step its descriptor is ready, so readiness costs no allocation.
 */
public class CallbackHandle implements Handle {

    private static final VarHandle CALLBACK = VarHandles.field(MethodHandles.lookup(),
            CallbackHandle.class, "callback", Runnable.class);

    /** {@code null} once cancelled (volatile: cancel may come from any thread). */
    @SuppressWarnings("unused") // written plainly in the constructor through CALLBACK
    private volatile Runnable callback;

    CallbackHandle(Runnable callback) {
        // A plain store: a volatile one would fence every allocation. The handle reaches other threads
        // only through the inbox's release store, or stays on the loop thread.
        CALLBACK.set(this, callback);
    }

    /** A handle; in debug mode ({@code scheduledAt} not null) one that remembers where it was scheduled. */
    public static CallbackHandle of(Runnable callback, Throwable scheduledAt) {
        return scheduledAt == null ? new CallbackHandle(callback) : new Traced(callback, scheduledAt);
    }

    @Override
    public void cancel() {
        callback = null;
    }

    @Override
    public boolean isCancelled() {
        return callback == null;
    }

    /** The callback, or {@code null} once cancelled. */
    public Runnable callback() {
        return callback;
    }

    /** In debug mode, where the callback was scheduled; otherwise {@code null}. */
    public Throwable scheduledAt() {
        return null;
    }

    @Override
    public String toString() {
        Runnable cb = callback;
        return getClass().getSimpleName() + "[" + (cb == null ? "cancelled" : cb) + "]";
    }

    /** Debug mode: a handle that keeps the stack of the call that scheduled it. */
    static final class Traced extends CallbackHandle {
        private final Throwable scheduledAt;

        Traced(Runnable callback, Throwable scheduledAt) {
            super(callback);
            this.scheduledAt = scheduledAt;
        }

        @Override
        public Throwable scheduledAt() {
            return scheduledAt;
        }
    }
}
